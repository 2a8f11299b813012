/** Audio the mixer works in: 48 kHz mono 16-bit PCM, 20 ms frames (the Opus frame size). */
export const SAMPLE_RATE = 48_000;
export const FRAME_SAMPLES = 960;
export const FRAME_MS = 20;

/** The sum of every source's frame, kept wide so that one voice can be taken out exactly. */
export function sumFrames(frames: Iterable<Int16Array>): Int32Array {
  const total = new Int32Array(FRAME_SAMPLES);
  for (const frame of frames) for (let i = 0; i < FRAME_SAMPLES; i++) total[i] += frame[i];
  return total;
}

/** The mix a listener hears: everything except its own voice, clipped to 16 bits. */
export function mixFor(total: Int32Array, own?: Int16Array): Int16Array {
  const out = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    const sample = total[i] - (own ? own[i] : 0);
    out[i] = sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample;
  }
  return out;
}

/** Loudness of a frame in dBov (0 is full scale; silence is -127). */
export function levelDbov(frame: Int16Array): number {
  let energy = 0;
  for (let i = 0; i < frame.length; i++) energy += frame[i] * frame[i];
  const rms = Math.sqrt(energy / frame.length) / 32768;
  return rms > 0 ? Math.max(-127, 20 * Math.log10(rms)) : -127;
}

/**
 * Picks the loudest speaker for `selector`, with hysteresis so that a cough does not switch the
 * picture: levels are smoothed, and a new speaker must lead for `holdMs` before it takes over.
 */
export class LoudestSpeaker {
  private readonly levels = new Map<string, number>();
  private current: string | null = null;
  private challenger: { id: string; since: number } | null = null;

  constructor(
    private readonly holdMs = 1500,
    private readonly thresholdDbov = -50,
  ) {}

  get speaker(): string | null {
    return this.current;
  }

  /** Feeds one frame per source; returns the speaker after it. */
  update(levels: Map<string, number>, now: number): string | null {
    for (const id of this.levels.keys()) if (!levels.has(id)) this.levels.delete(id);
    for (const [id, level] of levels) this.levels.set(id, 0.9 * (this.levels.get(id) ?? -127) + 0.1 * level);
    if (this.current !== null && !levels.has(this.current)) this.current = null;
    let loudest: string | null = null;
    let loudestLevel = this.thresholdDbov;
    for (const [id, level] of this.levels) {
      if (level > loudestLevel) [loudest, loudestLevel] = [id, level];
    }
    if (loudest === null || loudest === this.current) {
      this.challenger = null;
    } else if (this.current === null) {
      this.current = loudest;
    } else if (this.challenger?.id !== loudest) {
      this.challenger = { id: loudest, since: now };
    } else if (now - this.challenger.since >= this.holdMs) {
      this.current = loudest;
      this.challenger = null;
    }
    return this.current;
  }
}
