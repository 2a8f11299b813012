import { EventEmitter } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { FfmpegProcess } from '../mixer/ffmpeg-process';
import { openPlainRtpLeg, sdpDocument, type PlainRtpLeg } from '../mixer/plain-rtp';

const STOP_TIMEOUT_MS = 10_000;

/**
 * Writes the mixed conference media to an MPEG-TS file while recording runs: the H.264 video as it
 * is, the audio mix as AAC. MPEG-TS survives an abrupt end, and segments join cleanly later.
 */
export class SegmentRecorder {
  /** Closes when the segment is finished: the mixer counts the recorder as a user until then. */
  readonly observer = new EventEmitter<{ close: [] }>();
  private readonly exited: Promise<number | null>;
  private stopping: Promise<boolean> | null = null;

  private constructor(
    readonly file: string,
    private readonly legs: PlainRtpLeg[],
    private readonly ffmpeg: FfmpegProcess,
  ) {
    this.exited = new Promise((resolve) => ffmpeg.on('exit', (code) => resolve(code)));
  }

  static async start(
    router: types.Router,
    video: types.Producer,
    audio: types.Producer,
    file: string,
    logger: Logger,
  ): Promise<SegmentRecorder> {
    const legs = [await openPlainRtpLeg(router, video)];
    try {
      legs.push(await openPlainRtpLeg(router, audio));
      // The SDP goes in a file: stdin stays open for the `q` that finishes the segment cleanly.
      const sdpFile = `${file}.sdp`;
      await writeFile(sdpFile, sdpDocument(...legs.map((leg) => leg.sdpMedia)));
      const ffmpeg = new FfmpegProcess(
        [
          ...['-protocol_whitelist', 'file,udp,rtp', '-i', sdpFile],
          ...['-map', '0:v:0', '-map', '0:a:0', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k'],
          ...['-f', 'mpegts', '-y', file],
        ],
        logger.child({ recordingSegment: file }),
      );
      ffmpeg.on('exit', () => void rm(sdpFile, { force: true }));
      const recorder = new SegmentRecorder(file, legs, ffmpeg);
      // Let ffmpeg open its ports before media flows.
      setTimeout(() => {
        for (const leg of legs) leg.consumer.resume().catch(() => undefined);
      }, 100).unref();
      return recorder;
    } catch (error) {
      for (const leg of legs) leg.transport.close();
      throw error;
    }
  }

  /** Ends the segment; true when ffmpeg finished the file cleanly. */
  stop(): Promise<boolean> {
    this.stopping ??= (async () => {
      this.ffmpeg.quit();
      const code = await Promise.race([
        this.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)),
      ]);
      this.ffmpeg.close();
      for (const leg of this.legs) leg.transport.close();
      this.observer.emit('close');
      return code === 0;
    })();
    return this.stopping;
  }
}
