import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { FfmpegProcess } from './ffmpeg-process';
import { openPlainRtpLeg, SDP_INPUT, sdpDocument, type PlainRtpLeg } from './plain-rtp';

/**
 * The mixed video and audio going out of the router to one ffmpeg that writes them somewhere (the
 * recorder's stream, an RTMP push). Closes when its ffmpeg exits.
 */
export class MixedMediaTap {
  readonly observer = new EventEmitter<{ close: [] }>();
  readonly exited: Promise<number | null>;
  private closed = false;

  private constructor(
    readonly ffmpeg: FfmpegProcess,
    private readonly legs: PlainRtpLeg[],
  ) {
    this.exited = new Promise((resolve) => ffmpeg.on('exit', (code) => resolve(code)));
    void this.exited.then(() => this.close());
  }

  static async open(
    router: types.Router,
    media: { video: types.Producer; audio: types.Producer },
    ffmpegArgs: { input?: string[]; output: string[] },
    logger: Logger,
    secrets: readonly string[] = [],
  ): Promise<MixedMediaTap> {
    const legs = [await openPlainRtpLeg(router, media.video)];
    try {
      legs.push(await openPlainRtpLeg(router, media.audio));
      const ffmpeg = new FfmpegProcess(
        [...(ffmpegArgs.input ?? []), ...SDP_INPUT, '-map', '0:v:0', '-map', '0:a:0', ...ffmpegArgs.output],
        logger,
        secrets,
      );
      ffmpeg.stdin.end(sdpDocument(...legs.map((leg) => leg.sdpMedia)));
      const tap = new MixedMediaTap(ffmpeg, legs);
      // Let ffmpeg open its ports before media flows.
      setTimeout(() => {
        for (const leg of legs) leg.consumer.resume().catch(() => undefined);
      }, 100).unref();
      return tap;
    } catch (error) {
      for (const leg of legs) leg.transport.close();
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ffmpeg.close();
    for (const leg of this.legs) leg.transport.close();
    this.observer.emit('close');
  }
}
