import { EventEmitter } from 'node:events';
import type { Logger } from '@mind/logging';
import { FRAME_SAMPLES, SAMPLE_RATE } from './audio-mix';
import { decoderInput, type DecoderInput, type DecoderSource } from './decoder-input';
import { FfmpegProcess, readRecords } from './ffmpeg-process';
import { I420Frame } from './i420-frame';
import type { Size } from './layout';

/** How a decoded video is shaped for its tile: cropped to fill (cameras) or letterboxed (screens). */
export interface VideoShape extends Size {
  fit: 'cover' | 'contain';
}

/** At most this much decoded audio waits for the mixer; older samples are dropped to bound latency. */
const MAX_BUFFERED_MS = 200;
/** A tile must keep its new size this long before its decoder is restarted for it. */
const RESHAPE_AFTER_MS = 500;

export interface DecoderEvents {
  /** The first picture came out (video), after the start or a reshape: key frame requests may stop. */
  picture: [];
  /** ffmpeg was restarted for a new tile size and needs a key frame. */
  restarted: [];
  closed: [];
}

/**
 * One stream of the mix decoded by ffmpeg from its RTP (`decoder-input.ts`): raw I420 frames scaled by
 * ffmpeg to exactly their tile (video, so that composing is a copy), or 48 kHz mono PCM (audio), read
 * back through a pipe. When the layout gives a video another tile size, its ffmpeg is restarted for
 * it on the same ports; the last picture stands in until the new one comes.
 */
export class Decoder extends EventEmitter<DecoderEvents> {
  /** The newest decoded picture and when it came (video). */
  latest: { frame: I420Frame; at: number } | null = null;
  /** Since when a restarted decoder waits for its first picture. */
  waitingSince: number | null = null;
  private audio: Buffer[] = [];
  private audioBytes = 0;
  private ffmpeg: FfmpegProcess | null = null;
  private wanted: { shape: VideoShape; since: number } | null = null;
  private closed = false;
  private readonly input: DecoderInput;

  constructor(
    source: DecoderSource,
    private shape: VideoShape | null,
    private readonly logger: Logger,
  ) {
    super();
    this.input = decoderInput(source, logger);
    this.spawn();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * The shape of the tile this video is drawn in now; once it has held for a moment and differs from
   * what ffmpeg makes, ffmpeg is restarted to make it.
   */
  want(shape: VideoShape, now: number): void {
    if (this.closed || !this.shape || this.waitingSince !== null) return;
    if (sameShape(shape, this.shape)) {
      this.wanted = null;
    } else if (!this.wanted || !sameShape(shape, this.wanted.shape)) {
      this.wanted = { shape, since: now };
    } else if (now - this.wanted.since >= RESHAPE_AFTER_MS) {
      this.restart(shape, now);
    }
  }

  /** One 20 ms block of samples, or null when the decoder has not caught up (audio). */
  takeAudioFrame(): Int16Array | null {
    const size = FRAME_SAMPLES * 2;
    if (this.audioBytes < size) return null;
    const joined = this.audio.length === 1 ? this.audio[0] : Buffer.concat(this.audio, this.audioBytes);
    const block = new Int16Array(FRAME_SAMPLES);
    Buffer.from(block.buffer).set(joined.subarray(0, size));
    const rest = joined.subarray(size);
    this.audio = rest.length ? [rest] : [];
    this.audioBytes = rest.length;
    return block;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ffmpeg?.close();
    this.input.close();
    this.emit('closed');
  }

  private restart(shape: VideoShape, now: number) {
    const old = this.ffmpeg;
    this.shape = shape;
    this.wanted = null;
    this.waitingSince = now;
    this.ffmpeg = null;
    // The new ffmpeg binds the same ports, so the old one must be gone first.
    old?.once('exit', () => {
      if (this.closed) return;
      this.spawn();
      this.emit('restarted');
    });
    old?.close();
  }

  private spawn() {
    const shape = this.shape;
    // Every decoded picture once, as it comes: the mix draws the newest.
    const output = shape
      ? ['-an', '-vf', videoFilter(shape), '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p']
      : ['-vn', '-ac', '1', '-ar', String(SAMPLE_RATE)];
    const format = shape ? ['-f', 'rawvideo', 'pipe:1'] : ['-f', 's16le', 'pipe:1'];
    const ffmpeg = new FfmpegProcess(
      ['-fflags', 'nobuffer', '-flags', 'low_delay', ...this.input.args, ...output, ...format],
      this.logger,
    );
    this.ffmpeg = ffmpeg;
    this.input.feed(ffmpeg.stdin);
    // An ffmpeg that ends by itself ends the decoder; one ended for a restart does not.
    ffmpeg.on('exit', () => this.ffmpeg === ffmpeg && this.close());
    if (shape) {
      const size = I420Frame.byteLength(shape.width, shape.height);
      readRecords(ffmpeg.stdout, size, (frames) => {
        if (this.ffmpeg !== ffmpeg) return;
        if (!this.latest || this.waitingSince !== null) this.emit('picture');
        this.waitingSince = null;
        // Only the newest picture is ever drawn.
        const newest = frames.subarray(frames.length - size);
        this.latest = { frame: new I420Frame(shape.width, shape.height, newest), at: Date.now() };
      });
    } else {
      const limit = (SAMPLE_RATE * 2 * MAX_BUFFERED_MS) / 1000;
      ffmpeg.stdout.on('data', (chunk: Buffer) => {
        this.audio.push(chunk);
        this.audioBytes += chunk.length;
        while (this.audioBytes - this.audio[0].length >= limit) this.audioBytes -= this.audio.shift()!.length;
      });
    }
  }
}

const sameShape = (a: VideoShape, b: VideoShape) =>
  a.width === b.width && a.height === b.height && a.fit === b.fit;

/** Scales any picture to the tile's size: cropped to fill, or letterboxed to show it whole. */
function videoFilter({ width, height, fit }: VideoShape): string {
  return fit === 'cover'
    ? `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height}`
    : `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
}
