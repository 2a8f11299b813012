import { OpusDecoder, OpusEncoder, OpusError } from './opus';
import { concat, frames, frequencyOf, rms, sine } from './test-signal';

describe('Opus through libopus', () => {
  const tone = sine(440, 48_000, 1);

  function encodeTone(encoder = new OpusEncoder(48_000, 1)): Buffer[] {
    const packets = frames(tone, 48_000).map((frame) => encoder.encode(frame));
    encoder.close();
    return packets;
  }

  /** The decoded tone, less its first 100 ms (the codec's delay and start). */
  function decodeTone(decoder: OpusDecoder, packets: Buffer[]): Int16Array[] {
    const decoded = packets.map((packet) => decoder.decode(packet));
    decoder.close();
    return decoded.slice(5);
  }

  it('keeps a 440 Hz tone at 48 kHz its frequency and level through encoding and decoding', () => {
    const decoded = decodeTone(new OpusDecoder(48_000, 1), encodeTone());
    expect(decoded.every((frame) => frame.length === 960)).toBe(true);
    const audio = concat(decoded);
    expect(frequencyOf(audio, 48_000)).toBeCloseTo(440, 0);
    expect(Math.abs(20 * Math.log10(rms(audio) / rms(tone)))).toBeLessThan(1);
  });

  it('decodes to the rate and channels asked for', () => {
    const packets = encodeTone();
    const narrow = decodeTone(new OpusDecoder(8_000, 1), packets);
    expect(narrow.every((frame) => frame.length === 160)).toBe(true);
    expect(frequencyOf(concat(narrow), 8_000)).toBeCloseTo(440, 0);
    const stereo = decodeTone(new OpusDecoder(48_000, 2), packets);
    expect(stereo.every((frame) => frame.length === 2 * 960)).toBe(true);
    const right = concat(stereo).filter((_, i) => i % 2 === 1);
    expect(frequencyOf(right, 48_000)).toBeCloseTo(440, 0);
  });

  it('aims at the bitrate it is given', () => {
    const encoder = new OpusEncoder(48_000, 1);
    encoder.bitrate = 12_000;
    expect(encoder.bitrate).toBe(12_000);
    const low = encodeTone(encoder);
    const high = new OpusEncoder(48_000, 1);
    high.bitrate = 64_000;
    // 50 packets a second; libopus's variable bitrate overshoots a little (14.4 kbit/s here).
    const bitsPerSecond = (packets: Buffer[]) =>
      (packets.reduce((n, packet) => n + packet.length, 0) * 8 * 50) / packets.length;
    expect(bitsPerSecond(low)).toBeLessThan(12_000 * 1.4);
    expect(bitsPerSecond(encodeTone(high))).toBeGreaterThan(64_000 * 0.8);
  });

  it('conceals lost packets with audio of the lost length, in steps of 2.5 ms', () => {
    const decoder = new OpusDecoder(8_000, 1);
    decoder.decode(encodeTone()[0]);
    expect(decoder.conceal(20).length).toBe(160);
    expect(decoder.conceal(24).length).toBe(180);
    expect(decoder.conceal(1000).length).toBe(960);
    expect(decoder.conceal(1).length).toBe(0);
    decoder.close();
  });

  it('refuses what libopus refuses, and work once closed', () => {
    expect(() => new OpusDecoder(44_100, 1)).toThrow(OpusError);
    expect(() => new OpusEncoder(48_000, 3)).toThrow(OpusError);
    const encoder = new OpusEncoder(48_000, 1);
    expect(() => encoder.encode(new Int16Array(961))).toThrow(OpusError);
    const stereo = new OpusEncoder(48_000, 2);
    expect(() => stereo.encode(new Int16Array(1921))).toThrow(OpusError);
    stereo.close();
    const decoder = new OpusDecoder(48_000, 1);
    expect(() => decoder.decode(Buffer.from([0xff, 0xff, 0xff]))).toThrow(OpusError);
    encoder.close();
    decoder.close();
    expect(() => encoder.encode(new Int16Array(960))).toThrow('closed');
    expect(() => decoder.conceal(20)).toThrow('closed');
  });
});
