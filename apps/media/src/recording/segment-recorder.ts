import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { MixedMediaTap } from '../mixer/mixed-media-tap';

const STOP_TIMEOUT_MS = 10_000;

/**
 * Writes the mixed conference media to an MPEG-TS file while recording runs: the H.264 video as it
 * is, the audio mix as AAC. MPEG-TS survives an abrupt end, and segments join cleanly later.
 */
export class SegmentRecorder {
  private stopping: Promise<boolean> | null = null;

  private constructor(
    readonly file: string,
    readonly tap: MixedMediaTap,
  ) {}

  static async start(
    router: types.Router,
    media: { video: types.Producer; audio: types.Producer },
    file: string,
    logger: Logger,
  ): Promise<SegmentRecorder> {
    const tap = await MixedMediaTap.open(
      router,
      media,
      ['-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k', '-f', 'mpegts', '-y', file],
      logger.child({ recordingSegment: file }),
    );
    return new SegmentRecorder(file, tap);
  }

  /** Ends the segment; true when ffmpeg finished the file cleanly. */
  stop(): Promise<boolean> {
    this.stopping ??= this.tap.finish(STOP_TIMEOUT_MS);
    return this.stopping;
  }
}
