import { sequenceDistance } from '@mind/rtp';

export interface JitterBufferOptions {
  /** Frames held before playout starts (and restarts): the jitter it absorbs, and the delay it adds. */
  depth?: number;
  /** The most frames held: a burst beyond it drops the oldest, so the delay stays bounded. */
  maxDepth?: number;
  /**
   * Ticks in a row with nothing held that are concealed before the stream counts as stopped. RTP
   * numbers packets, not time: after a pause (silence suppression, hold) the sequence carries on
   * where it was, so playout must start over rather than call the new packets late.
   */
  stopAfter?: number;
}

/** A packet this far behind playout (1 s) is from a restarted sender, not a late one. */
const LATE_LIMIT = 50;

/**
 * One RTP stream's playout buffer for frames of a fixed duration (20 ms): `push` each packet's
 * payload as it arrives, `pop` once per frame duration. `pop` gives the next frame, `null` when it
 * is lost (conceal it), or `undefined` while there is nothing to play: filling up to `depth`, or
 * stopped.
 */
export class JitterBuffer<T extends object = Buffer> {
  /**
   * Packets `received`; frames `played` and `concealed` (null); packets `late` (after their turn,
   * duplicates of played ones included) and `dropped` (duplicates held, a burst's oldest, restarts).
   */
  readonly counters = { received: 0, played: 0, concealed: 0, late: 0, dropped: 0 };
  private readonly depth: number;
  private readonly maxDepth: number;
  private readonly stopAfter: number;
  private readonly frames = new Map<number, T>();
  /** The sequence number to play next, undefined while stopped. */
  private next: number | undefined;
  private playing = false;
  private idle = 0;

  constructor({ depth = 3, maxDepth = 15, stopAfter = 5 }: JitterBufferOptions = {}) {
    if (depth < 1 || maxDepth < depth) throw new RangeError('a jitter buffer needs 1 <= depth <= maxDepth');
    this.depth = depth;
    this.maxDepth = maxDepth;
    this.stopAfter = stopAfter;
  }

  push(sequence: number, payload: T): void {
    this.counters.received++;
    this.next ??= sequence;
    let ahead = sequenceDistance(this.next, sequence);
    if (ahead < -LATE_LIMIT) {
      this.restart(sequence);
      ahead = 0;
    } else if (ahead < 0) {
      // Before playout starts, an earlier packet that arrived second is still in time.
      if (this.playing || this.span() - ahead > this.maxDepth) {
        this.counters.late++;
        return;
      }
      this.next = sequence;
      ahead = 0;
    }
    if (this.frames.has(sequence)) {
      this.counters.dropped++;
      return;
    }
    this.frames.set(sequence, payload);
    if (ahead >= this.maxDepth) this.trim(sequence);
  }

  pop(): T | null | undefined {
    if (this.next === undefined) return undefined;
    if (!this.playing) {
      if (this.span() < this.depth) return undefined;
      this.playing = true;
    }
    const frame = this.frames.get(this.next);
    this.frames.delete(this.next);
    this.next = (this.next + 1) & 0xffff;
    if (frame) {
      this.counters.played++;
      this.idle = 0;
      return frame;
    }
    if (this.frames.size > 0) this.idle = 0;
    else if (++this.idle > this.stopAfter) {
      this.restart(undefined);
      return undefined;
    }
    this.counters.concealed++;
    return null;
  }

  /** Forget the stream (a new SSRC): what is held is dropped, the next packet fills anew. */
  reset(): void {
    this.restart(undefined);
  }

  private restart(sequence: number | undefined): void {
    this.counters.dropped += this.frames.size;
    this.frames.clear();
    this.next = sequence;
    this.playing = false;
    this.idle = 0;
  }

  /** Frames from the next to the newest held, gaps included. */
  private span(): number {
    let newest = -1;
    for (const sequence of this.frames.keys())
      newest = Math.max(newest, sequenceDistance(this.next ?? sequence, sequence));
    return newest + 1;
  }

  /**
   * Keeps `maxDepth` frames up to `newest`, playing on from the oldest frame kept: a burst loses its
   * oldest frames; a sequence jump (a restarted sender) loses all before it and fills again.
   */
  private trim(newest: number): void {
    let oldest = newest;
    for (const sequence of [...this.frames.keys()]) {
      const behind = sequenceDistance(sequence, newest);
      if (behind >= this.maxDepth) {
        this.frames.delete(sequence);
        this.counters.dropped++;
      } else if (behind > sequenceDistance(oldest, newest)) oldest = sequence;
    }
    this.next = oldest;
    if (this.span() < this.depth) this.playing = false;
  }
}
