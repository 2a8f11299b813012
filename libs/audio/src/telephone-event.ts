/** An RFC 4733 telephone-event payload (one event; a packet may carry more, sent as redundancy). */
export interface TelephoneEvent {
  /** 0-9, 10 `*`, 11 `#`, 12-15 A-D; above are other tones (flash, fax...). */
  event: number;
  /** The last packet(s) of the event: the key was released. */
  end: boolean;
  /** The tone's power, 0 to -63 dBm0, given as a positive number. */
  volume: number;
  /** How long the event has lasted so far, in RTP timestamp units from the event's timestamp. */
  duration: number;
}

/** The first event of a telephone-event payload, or null if it is too short to hold one. */
export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | null {
  if (payload.length < 4) return null;
  return {
    event: payload[0],
    end: (payload[1] & 0x80) !== 0,
    volume: payload[1] & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}

const DIGITS = '0123456789*#ABCD';

/** Events remembered as already reported: enough for a retransmitted end packet to trail a new key. */
const REMEMBERED = 8;

/**
 * One RTP stream's DTMF keys from its telephone-event packets. A key press is many packets (with
 * growing duration, then the end packet three times) sharing one RTP timestamp; the key is reported
 * on the first packet seen, since some phones never send the end of the last key and a key should
 * not wait for its release.
 */
export class DtmfReceiver {
  private readonly reported: number[] = [];

  /** The key this packet starts, or null (a packet of a key already reported, not a key, not an event). */
  receive(timestamp: number, payload: Buffer): string | null {
    const parsed = parseTelephoneEvent(payload);
    if (!parsed || this.reported.includes(timestamp)) return null;
    this.reported.push(timestamp);
    if (this.reported.length > REMEMBERED) this.reported.shift();
    return DIGITS[parsed.event] ?? null;
  }
}
