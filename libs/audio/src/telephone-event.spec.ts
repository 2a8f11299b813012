import { readFileSync } from 'node:fs';
import { parseRtp } from '@mind/rtp';
import { DtmfReceiver, parseTelephoneEvent } from './telephone-event';

/** One RFC 4733 event payload. */
function payload(event: number, end: boolean, duration: number, volume = 10): Buffer {
  return Buffer.from([event, (end ? 0x80 : 0) | volume, duration >> 8, duration & 0xff]);
}

/** A key as sipp's pcaps send it: 7 packets of growing duration, then the end packet 3 times. */
function key(event: number): Buffer[] {
  return [
    ...Array.from({ length: 7 }, (_, i) => payload(event, false, i * 320)),
    ...Array.from({ length: 3 }, () => payload(event, true, 2240)),
  ];
}

/** The RTP packets of a pcap file (Ethernet, IPv4, UDP), as sipp's `play_pcap_audio` sends them. */
function pcapRtp(file: string) {
  const pcap = readFileSync(file);
  const packets = [];
  for (let at = 24; at < pcap.length; at += 16 + pcap.readUInt32LE(at + 8)) {
    const frame = pcap.subarray(at + 16, at + 16 + pcap.readUInt32LE(at + 8));
    packets.push(parseRtp(frame.subarray(14 + 4 * (frame[14] & 0x0f) + 8)));
  }
  return packets;
}

describe('RFC 4733 telephone events', () => {
  it('parses the event, end bit, volume and duration', () => {
    expect(parseTelephoneEvent(payload(11, true, 2240, 10))).toEqual({
      event: 11,
      end: true,
      volume: 10,
      duration: 2240,
    });
    expect(parseTelephoneEvent(Buffer.from([5, 0x3f, 0, 160]))).toEqual({
      event: 5,
      end: false,
      volume: 63,
      duration: 160,
    });
    expect(parseTelephoneEvent(Buffer.from([5, 0x80, 0]))).toBeNull();
  });

  it("reports each key of Debian sipp's pcaps once, on its first packet", () => {
    const receiver = new DtmfReceiver();
    const heard = ['1', '5', 'pound'].flatMap((name) =>
      pcapRtp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`).map((packet) =>
        receiver.receive(packet!.timestamp, packet!.payload),
      ),
    );
    expect(heard).toEqual([
      '1',
      ...Array(9).fill(null),
      '5',
      ...Array(9).fill(null),
      '#',
      ...Array(9).fill(null),
    ]);
  });

  it('tells keys by their timestamp: the same key twice is two keys, a late end packet is not one', () => {
    const receiver = new DtmfReceiver();
    const keys = (timestamp: number, packets: Buffer[]) =>
      packets.map((packet) => receiver.receive(timestamp, packet)).filter((digit) => digit !== null);
    expect(keys(1000, key(0))).toEqual(['0']);
    expect(keys(4000, key(0))).toEqual(['0']);
    // The last key's end is never sent (baresip): the key is reported all the same.
    expect(keys(8000, key(10).slice(0, 7))).toEqual(['*']);
    expect(keys(12_000, key(12).slice(0, 1))).toEqual(['A']);
    // An end packet of 4000 retransmitted after the next key began.
    expect(keys(4000, key(0).slice(-1))).toEqual([]);
  });

  it('reports every DTMF key and no other event', () => {
    const receiver = new DtmfReceiver();
    const events = Array.from({ length: 17 }, (_, event) =>
      receiver.receive(event * 1000, payload(event, false, 0)),
    );
    expect(events.join('')).toBe('0123456789*#ABCD');
    expect(events[16]).toBeNull();
    expect(receiver.receive(99_000, Buffer.alloc(2))).toBeNull();
  });
});
