import { EventEmitter } from 'node:events';
import type { Logger } from '@mind/logging';
import { FRAME_SAMPLES, SAMPLE_RATE } from './audio-mix';
import { FfmpegProcess, readRecords } from './ffmpeg-process';
import { I420Frame } from './i420-frame';
import type { Size } from './layout';
import { SDP_INPUT } from './plain-rtp';

/** How a decoded video is shaped for its tiles: cropped to fill (cameras) or letterboxed (screens). */
export interface VideoShape extends Size {
  fit: 'cover' | 'contain';
}

/** At most this much decoded audio waits for the mixer; older samples are dropped to bound latency. */
const MAX_BUFFERED_MS = 200;

export interface DecoderEvents {
  /** The first picture came out (video): key frame requests may stop. */
  picture: [];
  closed: [];
}

/**
 * One stream of the mix decoded by ffmpeg from the RTP an SDP describes: raw I420 frames already
 * shaped to a 16:9 tile (video, `shape` given), or 48 kHz mono PCM (audio), read back through a pipe.
 */
export class Decoder extends EventEmitter<DecoderEvents> {
  /** The newest decoded picture and when it came (video). */
  latest: { frame: I420Frame; at: number } | null = null;
  private audio: Buffer[] = [];
  private audioBytes = 0;
  private closed = false;
  private readonly ffmpeg: FfmpegProcess;

  constructor(sdp: string, shape: VideoShape | null, logger: Logger) {
    super();
    const output = shape
      ? ['-an', '-vf', videoFilter(shape), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1']
      : ['-vn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', 'pipe:1'];
    this.ffmpeg = new FfmpegProcess(
      ['-fflags', 'nobuffer', '-flags', 'low_delay', '-reorder_queue_size', '64', ...SDP_INPUT, ...output],
      logger,
    );
    this.ffmpeg.stdin.end(sdp);
    this.ffmpeg.on('exit', () => this.close());
    if (shape) {
      readRecords(this.ffmpeg.stdout, I420Frame.byteLength(shape.width, shape.height), (record) => {
        if (!this.latest) this.emit('picture');
        this.latest = { frame: new I420Frame(shape.width, shape.height, record), at: Date.now() };
      });
    } else {
      const limit = (SAMPLE_RATE * 2 * MAX_BUFFERED_MS) / 1000;
      this.ffmpeg.stdout.on('data', (chunk: Buffer) => {
        this.audio.push(chunk);
        this.audioBytes += chunk.length;
        while (this.audioBytes - this.audio[0].length >= limit) this.audioBytes -= this.audio.shift()!.length;
      });
    }
  }

  get isClosed(): boolean {
    return this.closed;
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
    this.ffmpeg.close();
    this.emit('closed');
  }
}

/** Scales any picture to the tile's 16:9 size: cropped to fill, or letterboxed to show it whole. */
function videoFilter({ width, height, fit }: VideoShape): string {
  return fit === 'cover'
    ? `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height}`
    : `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
}
