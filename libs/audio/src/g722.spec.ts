import { execFileSync } from 'node:child_process';
import { G722Decoder, G722Encoder, G722Error } from './g722';
import { concat, frames, frequencyOf, rms, sine } from './test-signal';

/** ffmpeg's own G.722, to check that ours speaks the same codec (bytes in, bytes out). */
function ffmpeg(args: string[], input: Buffer): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', ...args], { input, maxBuffer: 1 << 24 });
}
const pcm = (samples: Int16Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
const samplesOf = (data: Buffer) =>
  new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));

describe('G.722 (spandsp)', () => {
  it('encodes 20 ms of 16 kHz audio into 160 bytes, and a tone comes back as itself', () => {
    const encoder = new G722Encoder();
    const decoder = new G722Decoder();
    const tone = sine(1000, 16000, 1);
    const packets = frames(tone, 16000).map((frame) => encoder.encode(frame));
    expect(packets.every((packet) => packet.length === 160)).toBe(true);
    const decoded = concat(packets.map((packet) => decoder.decode(packet)));
    expect(decoded.length).toBe(tone.length);
    // Past the codec's start-up (its filters and adaptation), the tone's pitch and level.
    const settled = decoded.slice(3200);
    expect(frequencyOf(settled, 16000)).toBeCloseTo(1000, 0);
    expect(rms(settled) / rms(tone)).toBeGreaterThan(0.8);
    expect(rms(settled) / rms(tone)).toBeLessThan(1.2);
    // Wideband: 6 kHz (out of a narrowband codec's reach) passes too.
    const high = concat(frames(sine(6000, 16000, 0.5), 16000).map((f) => decoder.decode(encoder.encode(f))));
    expect(rms(high.slice(1600))).toBeGreaterThan(0.5 * rms(sine(6000, 16000, 0.1)));
    encoder.close();
    decoder.close();
  });

  it("decodes ffmpeg's G.722 and ffmpeg decodes ours", () => {
    const tone = sine(440, 16000, 1);
    const format = ['-f', 's16le', '-ar', '16000', '-ac', '1'];
    const theirs = ffmpeg([...format, '-i', 'pipe:0', '-c:a', 'g722', '-f', 'g722', 'pipe:1'], pcm(tone));
    const decoder = new G722Decoder();
    const ours = decoder.decode(theirs).slice(3200);
    expect(frequencyOf(ours, 16000)).toBeCloseTo(440, 0);
    expect(rms(ours) / rms(tone)).toBeGreaterThan(0.8);

    const encoder = new G722Encoder();
    const decodedByThem = samplesOf(
      ffmpeg(['-f', 'g722', '-i', 'pipe:0', '-f', 's16le', '-ar', '16000', 'pipe:1'], encoder.encode(tone)),
    ).slice(3200);
    expect(frequencyOf(decodedByThem, 16000)).toBeCloseTo(440, 0);
    expect(rms(decodedByThem) / rms(tone)).toBeGreaterThan(0.8);
    encoder.close();
    decoder.close();
  });

  it('refuses work once closed', () => {
    const encoder = new G722Encoder();
    encoder.close();
    expect(() => encoder.encode(new Int16Array(320))).toThrow(G722Error);
  });
});
