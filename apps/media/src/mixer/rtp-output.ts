import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { SAMPLE_RATE } from './audio-mix';
import { FfmpegProcess } from './ffmpeg-process';

export interface VideoEncoding {
  width: number;
  height: number;
  fps: number;
  bitrate: number;
}

/**
 * The router's H.264 (constrained baseline, as MEDIA_CODECS declares it): every WebRTC client decodes
 * it, and recordings and RTMP pushes take it as it is, so the mixed video is encoded once.
 */
const H264 = { mimeType: 'video/H264', payloadType: 108, clockRate: 90000 } as const;
const OPUS = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 } as const;

/**
 * Mixed media fed to an ffmpeg encoder (raw I420 frames or PCM on its stdin) that sends RTP to a
 * PlainTransport producer of the router, where subscribers, recordings and streams consume it.
 */
export class RtpOutput {
  private closed = false;

  private constructor(
    readonly producer: types.Producer,
    private readonly transport: types.PlainTransport,
    private readonly ffmpeg: FfmpegProcess,
  ) {
    ffmpeg.on('exit', () => this.close());
  }

  static async video(router: types.Router, encoding: VideoEncoding, logger: Logger): Promise<RtpOutput> {
    const { width, height, fps, bitrate } = encoding;
    return RtpOutput.open(
      router,
      'video',
      {
        ...H264,
        parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
      },
      (ssrc, url) => [
        ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-framerate', String(fps)],
        ...['-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
        ...['-profile:v', 'baseline', '-pix_fmt', 'yuv420p'],
        // A key frame every half second: ffmpeg cannot answer a key frame request, and a new
        // subscriber or recording segment starts at the next one.
        ...['-g', String(Math.max(1, Math.round(fps / 2)))],
        ...['-b:v', String(bitrate), '-maxrate', String(bitrate), '-bufsize', String(bitrate)],
        // Parameter sets before every key frame: a subscriber may start at any key frame.
        ...['-bsf:v', 'dump_extra=freq=keyframe'],
        ...['-f', 'rtp', '-payload_type', String(H264.payloadType), '-ssrc', String(ssrc), url],
      ],
      logger,
    );
  }

  static async audio(router: types.Router, bitrate: number, logger: Logger): Promise<RtpOutput> {
    return RtpOutput.open(
      router,
      'audio',
      { ...OPUS, parameters: { useinbandfec: 1 } },
      (ssrc, url) => [
        ...['-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:0'],
        ...['-c:a', 'libopus', '-application', 'voip', '-frame_duration', '20', '-b:a', String(bitrate)],
        ...['-f', 'rtp', '-payload_type', String(OPUS.payloadType), '-ssrc', String(ssrc), url],
      ],
      logger,
    );
  }

  private static async open(
    router: types.Router,
    kind: types.MediaKind,
    codec: types.RtpCodecParameters,
    args: (ssrc: number, url: string) => string[],
    logger: Logger,
  ): Promise<RtpOutput> {
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      // ffmpeg sends RTCP from a socket of its own: with one muxed port, comedia would lock onto
      // whichever came first and drop the other.
      rtcpMux: false,
      comedia: true,
    });
    try {
      const ssrc = randomInt(1, 2 ** 31);
      const producer = await transport.produce({
        kind,
        rtpParameters: { codecs: [codec], encodings: [{ ssrc }] },
        appData: { mixer: true },
      });
      const { localIp, localPort } = transport.tuple;
      const rtcpPort = transport.rtcpTuple!.localPort;
      const url = `rtp://${localIp}:${localPort}?rtcpport=${rtcpPort}&pkt_size=1200`;
      const ffmpeg = new FfmpegProcess(args(ssrc, url), logger.child({ mixerOutput: kind }));
      return new RtpOutput(producer, transport, ffmpeg);
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  get isClosed(): boolean {
    return this.closed;
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
    if (this.closed) return;
    this.closed = true;
    this.ffmpeg.close();
    this.transport.close();
  }
}
