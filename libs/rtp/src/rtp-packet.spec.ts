import { parseRtp, serializeRtp } from './rtp-packet';

describe('RTP packets', () => {
  it('writes a packet that reads back the same, at the edges of every field', () => {
    const fields = {
      payloadType: 111,
      marker: true,
      sequence: 65535,
      timestamp: 2 ** 32 - 1,
      ssrc: 0xdeadbeef,
    };
    const payload = Buffer.from([1, 2, 3]);
    const packet = serializeRtp(fields, payload);
    expect(packet.length).toBe(15);
    expect(parseRtp(packet)).toEqual({ ...fields, payload });
    expect(parseRtp(serializeRtp({ ...fields, marker: false, payloadType: 0 }, payload))).toMatchObject({
      marker: false,
      payloadType: 0,
    });
  });
});
