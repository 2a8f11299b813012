import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { FfmpegProcess } from './ffmpeg-process';
import { openPlainRtpLeg, sdpDocument, type PlainRtpLeg } from './plain-rtp';

/**
 * The mixed video and audio going out of the router to one ffmpeg that writes them somewhere (a
 * recording segment, an RTMP push). The SDP goes in a file so that ffmpeg's stdin stays free for its
 * `q` command. Holds the mixer (`observer` closes when the tap does).
 */
export class MixedMediaTap {
  readonly observer = new EventEmitter<{ close: [] }>();
  readonly exited: Promise<number | null>;
  private closed = false;

  private constructor(
    readonly ffmpeg: FfmpegProcess,
    private readonly legs: PlainRtpLeg[],
    private readonly sdpFile: string,
  ) {
    this.exited = new Promise((resolve) => ffmpeg.on('exit', (code) => resolve(code)));
    void this.exited.then(() => this.close());
  }

  static async open(
    router: types.Router,
    media: { video: types.Producer; audio: types.Producer },
    output: string[],
    logger: Logger,
  ): Promise<MixedMediaTap> {
    const legs = [await openPlainRtpLeg(router, media.video)];
    const sdpFile = join(tmpdir(), `mind-tap-${randomBytes(6).toString('hex')}.sdp`);
    try {
      legs.push(await openPlainRtpLeg(router, media.audio));
      await writeFile(sdpFile, sdpDocument(...legs.map((leg) => leg.sdpMedia)));
      const ffmpeg = new FfmpegProcess(
        [
          ...['-protocol_whitelist', 'file,udp,rtp', '-i', sdpFile, '-map', '0:v:0', '-map', '0:a:0'],
          ...output,
        ],
        logger,
      );
      const tap = new MixedMediaTap(ffmpeg, legs, sdpFile);
      // Let ffmpeg open its ports before media flows.
      setTimeout(() => {
        for (const leg of legs) leg.consumer.resume().catch(() => undefined);
      }, 100).unref();
      return tap;
    } catch (error) {
      for (const leg of legs) leg.transport.close();
      await rm(sdpFile, { force: true });
      throw error;
    }
  }

  /** Asks ffmpeg to finish its output and waits (at most `timeoutMs`); true when it ended cleanly. */
  async finish(timeoutMs: number): Promise<boolean> {
    this.ffmpeg.quit();
    const code = await Promise.race([
      this.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs)),
    ]);
    this.close();
    return code === 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ffmpeg.close();
    for (const leg of this.legs) leg.transport.close();
    void rm(this.sdpFile, { force: true });
    this.observer.emit('close');
  }
}
