import { Resampler } from './resample';
import { concat, frames, frequencyOf, rms, sine } from './test-signal';

/** A stream through a converter in 20 ms frames. */
function convert(resampler: Resampler, samples: Int16Array): Int16Array {
  return concat(frames(samples, resampler.from).map((frame) => resampler.process(frame)));
}

/** The level of a tone at 48 kHz once at `rate`, in dB, past the filter's start. */
function gainDb(frequency: number, rate: number): number {
  const tone = sine(frequency, 48_000, 0.5);
  return 20 * Math.log10(rms(convert(new Resampler(48_000, rate), tone).slice(rate / 20)) / rms(tone));
}

describe('resampling between telephone rates and 48 kHz', () => {
  it('keeps a 440 Hz tone its frequency and level from 48 kHz to 8 kHz and back', () => {
    const tone = sine(440, 48_000, 1);
    const down = new Resampler(48_000, 8_000);
    const up = new Resampler(8_000, 48_000);
    const back = concat(frames(tone, 48_000).map((frame) => up.process(down.process(frame))));
    expect(back.length).toBe(tone.length);
    expect(frequencyOf(back.slice(4800), 48_000)).toBeCloseTo(440, 1);
    expect(Math.abs(20 * Math.log10(rms(back.slice(4800)) / rms(tone)))).toBeLessThan(0.1);
  });

  it('keeps what each rate carries: 300-3400 Hz at 8 kHz, up to 7 kHz at 16 kHz', () => {
    for (const frequency of [300, 1000, 3400]) expect(Math.abs(gainDb(frequency, 8_000))).toBeLessThan(0.2);
    for (const frequency of [300, 3400, 7000]) expect(Math.abs(gainDb(frequency, 16_000))).toBeLessThan(0.2);
  });

  it('filters out what a rate cannot carry instead of folding it back into the band', () => {
    // At 8 kHz, 6 kHz and 10 kHz would be heard at 2 kHz; at 16 kHz, 10 kHz would be 6 kHz.
    for (const frequency of [4400, 6000, 10_000]) expect(gainDb(frequency, 8_000)).toBeLessThan(-60);
    expect(gainDb(10_000, 16_000)).toBeLessThan(-60);
  });

  it('interpolates up without images: 1 kHz at 8 kHz is a clean 1 kHz at 48 kHz, 4 ms late', () => {
    const expected = sine(1000, 48_000, 1);
    const up = convert(new Resampler(8_000, 48_000), sine(1000, 8_000, 1));
    const delay = 32 * 6;
    const error = Int16Array.from(up.slice(delay + 480), (sample, i) => sample - expected[i + 480]);
    expect(20 * Math.log10(rms(error) / rms(expected))).toBeLessThan(-60);
  });

  it.each([
    [48_000, 8_000],
    [48_000, 16_000],
    [8_000, 48_000],
    [16_000, 48_000],
  ])('carries the filter across frames: %i to %i Hz in 20 ms frames is the whole stream', (from, to) => {
    const stream = concat([sine(440, from, 0.3), sine(2000, from, 0.3, 20_000)]);
    expect(convert(new Resampler(from, to), stream)).toEqual(new Resampler(from, to).process(stream));
  });

  it('converts only by an integer factor', () => {
    expect(() => new Resampler(44_100, 48_000)).toThrow(RangeError);
    expect(new Resampler(16_000, 8_000).process(Int16Array.of(1, 2, 3, 4)).length).toBe(2);
  });
});
