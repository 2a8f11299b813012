import { parseRtp } from '@mind/rtp';

/** A VP9 frame as a decoder takes it: one frame, or the layer frames of one picture as a superframe. */
export interface Vp9Frame {
  data: Buffer;
  /** RTP timestamp (90 kHz). */
  timestamp: number;
  /** Whether it starts with a key frame (a decoder can start here). */
  keyFrame: boolean;
}

interface Descriptor {
  /** Starts a layer frame (B) / ends one (E). */
  begins: boolean;
  ends: boolean;
  /** Inter-picture predicted (P): not the start of a key frame. */
  predicted: boolean;
  spatialLayer: number;
  data: Buffer;
}

/** The VP9 RTP payload descriptor (RFC 9628, as WebRTC sends it) in front of the frame data. */
function parseDescriptor(payload: Buffer): Descriptor | null {
  if (payload.length < 1) return null;
  const flags = payload[0];
  const [pictureId, predicted, layers, flexible, begins, ends, structure] = [
    0x80, 0x40, 0x20, 0x10, 8, 4, 2,
  ].map((bit) => (flags & bit) !== 0);
  let offset = 1;
  if (pictureId) offset += payload[offset] & 0x80 ? 2 : 1;
  let spatialLayer = 0;
  if (layers) {
    spatialLayer = (payload[offset] >> 1) & 0x07;
    offset += flexible ? 1 : 2;
  }
  if (flexible && predicted) {
    for (let diffs = 0; diffs < 3 && offset < payload.length; diffs++) {
      if (!(payload[offset++] & 0x01)) break;
    }
  }
  if (structure) {
    const header = payload[offset++];
    const spatialLayers = (header >> 5) + 1;
    if (header & 0x10) offset += 4 * spatialLayers;
    if (header & 0x08) {
      const groups = payload[offset++];
      for (let group = 0; group < groups; group++) offset += 1 + ((payload[offset] >> 2) & 0x03);
    }
  }
  if (offset > payload.length) return null;
  return { begins, ends, predicted, spatialLayer, data: payload.subarray(offset) };
}

/** Frames of one picture in a VP9 superframe, with its index (VP9 spec, annex B) at the end. */
function superframe(layers: Buffer[]): Buffer {
  if (layers.length === 1) return layers[0];
  const marker = 0xc0 | (3 << 3) | (layers.length - 1);
  const index = Buffer.alloc(2 + 4 * layers.length);
  index[0] = marker;
  layers.forEach((layer, i) => index.writeUInt32LE(layer.length, 1 + 4 * i));
  index[index.length - 1] = marker;
  return Buffer.concat([...layers, index]);
}

/**
 * Reassembles VP9 frames from WebRTC's RTP, which ffmpeg's RTP reader cannot do for SVC (it refuses
 * several layers, and a layer frame without the marker bit): the layer frames of one picture (same
 * RTP timestamp, ended by the marker) become one superframe. A picture with a lost packet is dropped.
 */
export class Vp9Depacketizer {
  private timestamp: number | null = null;
  private expected: number | null = null;
  private broken = false;
  private layers: Buffer[] = [];
  private fragments: Buffer[] = [];
  private keyFrame = false;

  /** Takes one RTP packet; returns a picture once its last packet came. */
  push(packet: Buffer): Vp9Frame | null {
    const rtp = parseRtp(packet);
    const descriptor = rtp && parseDescriptor(rtp.payload);
    if (!rtp || !descriptor) return null;
    if (rtp.timestamp !== this.timestamp) this.startPicture(rtp.timestamp, descriptor);
    if (this.expected !== null && rtp.sequence !== this.expected) this.broken = true;
    this.expected = (rtp.sequence + 1) & 0xffff;
    if (this.broken) return null;
    if (descriptor.begins) this.fragments = [];
    this.fragments.push(descriptor.data);
    if (descriptor.ends) {
      this.layers.push(Buffer.concat(this.fragments));
      this.fragments = [];
    }
    if (!rtp.marker || this.layers.length === 0) return null;
    const frame = { data: superframe(this.layers), timestamp: rtp.timestamp, keyFrame: this.keyFrame };
    this.layers = [];
    this.broken = true; // Until the next picture.
    return frame;
  }

  private startPicture(timestamp: number, descriptor: Descriptor) {
    this.timestamp = timestamp;
    this.layers = [];
    this.fragments = [];
    this.broken = !descriptor.begins;
    this.keyFrame = descriptor.begins && !descriptor.predicted && descriptor.spatialLayer === 0;
  }
}

/** An IVF stream header for VP9 in a 90 kHz time base (ffmpeg's `-f ivf` input). */
export function ivfHeader(width: number, height: number): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0);
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write('VP90', 8);
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(90000, 16);
  header.writeUInt32LE(1, 20);
  return header;
}

/** One IVF frame: its size and timestamp, then the frame. */
export function ivfFrame(data: Buffer, timestamp: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(data.length, 0);
  header.writeBigUInt64LE(BigInt(timestamp), 4);
  return Buffer.concat([header, data]);
}
