import type { Logger } from '@mind/logging';
import { FfmpegProcess } from './ffmpeg-process';

/** An ffmpeg encoder fed raw media (I420 frames or PCM) on its stdin; its arguments say where it sends. */
export class Encoder {
  private readonly ffmpeg: FfmpegProcess;
  private closed = false;

  constructor(args: string[], logger: Logger, onExit: () => void) {
    this.ffmpeg = new FfmpegProcess(args, logger);
    this.ffmpeg.on('exit', () => {
      this.closed = true;
      onExit();
    });
  }

  /**
   * Feeds raw media (copied: the caller reuses its buffer); false when the encoder is behind, as the
   * caller should drop rather than queue.
   */
  write(data: Uint8Array): boolean {
    if (this.closed || this.ffmpeg.stdin.writableNeedDrain) return false;
    this.ffmpeg.stdin.write(Buffer.from(data));
    return true;
  }

  close(): void {
    this.closed = true;
    this.ffmpeg.close();
  }
}
