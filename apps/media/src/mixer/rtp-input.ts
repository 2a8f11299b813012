import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { FRAME_SAMPLES, SAMPLE_RATE } from './audio-mix';
import { FfmpegProcess, readRecords } from './ffmpeg-process';
import { I420Frame } from './i420-frame';
import type { Size } from './layout';
import { openPlainRtpLeg, SDP_INPUT, sdpDocument } from './plain-rtp';

/** How a decoded video is shaped for its tiles: cropped to fill (cameras) or letterboxed (screens). */
export interface VideoShape extends Size {
  fit: 'cover' | 'contain';
}

/** At most this much decoded audio waits for the mixer; older samples are dropped to bound latency. */
const MAX_BUFFERED_MS = 200;
const KEY_FRAME_RETRY_MS = 1000;

/**
 * A producer's media decoded for the mixer: a PlainTransport consumer sends RTP to an ffmpeg that
 * writes raw I420 frames (already shaped to a 16:9 tile) or 48 kHz mono PCM back through a pipe.
 */
export class RtpInput {
  /** The newest decoded picture and when it came (video inputs). */
  latest: { frame: I420Frame; at: number } | null = null;
  private audio: Buffer[] = [];
  private audioBytes = 0;
  private closed = false;
  private keyFrameTimer?: NodeJS.Timeout;

  private constructor(
    readonly producerId: string,
    private readonly transport: types.PlainTransport,
    private readonly consumer: types.Consumer,
    private readonly ffmpeg: FfmpegProcess,
  ) {}

  static async open(
    router: types.Router,
    producer: types.Producer,
    shape: VideoShape | null,
    logger: Logger,
  ): Promise<RtpInput> {
    const { transport, consumer, sdpMedia } = await openPlainRtpLeg(router, producer);
    try {
      const output =
        producer.kind === 'video' && shape
          ? ['-an', '-vf', videoFilter(shape), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1']
          : ['-vn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', 'pipe:1'];
      const ffmpeg = new FfmpegProcess(
        ['-fflags', 'nobuffer', '-flags', 'low_delay', '-reorder_queue_size', '64', ...SDP_INPUT, ...output],
        logger.child({ mixerInput: producer.id, kind: producer.kind }),
      );
      ffmpeg.stdin.end(sdpDocument(sdpMedia));
      const input = new RtpInput(producer.id, transport, consumer, ffmpeg);
      input.start(shape);
      return input;
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One 20 ms block of samples, or silence when the decoder has not caught up (audio inputs). */
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
    clearInterval(this.keyFrameTimer);
    this.ffmpeg.close();
    this.transport.close();
  }

  private start(shape: VideoShape | null) {
    this.consumer.on('producerclose', () => this.close());
    this.consumer.on('transportclose', () => this.close());
    this.ffmpeg.on('exit', () => this.close());
    if (this.consumer.kind === 'video' && shape) {
      readRecords(this.ffmpeg.stdout, I420Frame.byteLength(shape.width, shape.height), (record) => {
        this.latest = { frame: new I420Frame(shape.width, shape.height, record), at: Date.now() };
      });
      // ffmpeg cannot ask for a key frame: ask until the first picture comes out.
      this.keyFrameTimer = setInterval(() => {
        if (this.latest) return clearInterval(this.keyFrameTimer);
        this.consumer.requestKeyFrame().catch(() => undefined);
      }, KEY_FRAME_RETRY_MS);
    } else {
      const limit = (SAMPLE_RATE * 2 * MAX_BUFFERED_MS) / 1000;
      this.ffmpeg.stdout.on('data', (chunk: Buffer) => {
        this.audio.push(chunk);
        this.audioBytes += chunk.length;
        while (this.audioBytes - this.audio[0].length >= limit) this.audioBytes -= this.audio.shift()!.length;
      });
    }
    // Give ffmpeg a moment to open its UDP ports, then let media flow.
    setTimeout(() => {
      if (!this.closed) this.consumer.resume().catch(() => undefined);
    }, 300).unref();
  }
}

/** Scales any picture to the tile's 16:9 size: cropped to fill, or letterboxed to show it whole. */
function videoFilter({ width, height, fit }: VideoShape): string {
  return fit === 'cover'
    ? `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height}`
    : `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
}
