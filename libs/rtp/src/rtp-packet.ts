/** What the platform reads of an RTP packet (RFC 3550). */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/** An RTP packet's fields, or null for anything else (RTCP multiplexed on the port, garbage). */
export function parseRtp(packet: Buffer): RtpPacket | null {
  if (packet.length < 12 || packet[0] >> 6 !== 2) return null;
  // RTCP sent to the same port (RFC 5761): packet types 192-223 where RTP has marker and payload type.
  if (packet[1] >= 192 && packet[1] <= 223) return null;
  let offset = 12 + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  const padding = packet[0] & 0x20 ? packet[packet.length - 1] : 0;
  if (offset + padding > packet.length) return null;
  return {
    payloadType: packet[1] & 0x7f,
    marker: (packet[1] & 0x80) !== 0,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset, packet.length - padding),
  };
}

/** How far `later` is after `earlier` in 16-bit sequence numbers (negative: before), across wrap-around. */
export function sequenceDistance(earlier: number, later: number): number {
  return ((later - earlier + 0x8000) & 0xffff) - 0x8000;
}

/** How far `later` is after `earlier` in 32-bit RTP timestamps (negative: before), across wrap-around. */
export function timestampDistance(earlier: number, later: number): number {
  return ((later - earlier + 2 ** 31) >>> 0) - 2 ** 31;
}

/** An RTP packet with a plain 12-byte header (no CSRC, no extension, no padding). */
export function serializeRtp(packet: Omit<RtpPacket, 'payload'>, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  header.writeUInt16BE(packet.sequence & 0xffff, 2);
  header.writeUInt32BE(packet.timestamp >>> 0, 4);
  header.writeUInt32BE(packet.ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}
