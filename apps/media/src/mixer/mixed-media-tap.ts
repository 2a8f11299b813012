import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { FfmpegProcess } from './ffmpeg-process';
import { openPlainRtpLeg, SDP_INPUT, sdpDocument, type PlainRtpLeg } from './plain-rtp';

/**
 * Media is stamped as it arrives, both streams by one clock. With their RTP timestamps, ffmpeg starts
 * each stream at its first packet and moves it onto the other's timeline at its first RTCP sender
 * report, which the router sends seconds later: the audio jumped by up to 0.8 s, and the muxer
 * squashed or stretched recordings by that much (a 10 s recording came out 7.5 or 9.7 s long).
 */
const ARRIVAL_TIMESTAMPS = ['-use_wallclock_as_timestamps', '1'];

/**
 * The audio is re-encoded on that timeline: samples that came in a burst (the mixed audio queued while
 * this ffmpeg started: 53 packets read within 7 ms, a second of audio on one instant) are dropped, a gap
 * is filled with silence. Without it a recording's audio ran a second behind its video and its clock.
 */
const AUDIO_ON_ARRIVAL_TIMELINE = ['-af', 'aresample=async=1'];

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
      const input = [...(ffmpegArgs.input ?? []), ...ARRIVAL_TIMESTAMPS, ...SDP_INPUT];
      const ffmpeg = new FfmpegProcess(
        [...input, '-map', '0:v:0', '-map', '0:a:0', ...AUDIO_ON_ARRIVAL_TIMELINE, ...ffmpegArgs.output],
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
