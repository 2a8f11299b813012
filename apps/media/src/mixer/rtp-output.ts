import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { SAMPLE_RATE } from './audio-mix';

export interface VideoEncoding {
  width: number;
  height: number;
  fps: number;
  bitrate: number;
}

/**
 * The mixed video is the router's H.264 (constrained baseline, as MEDIA_CODECS declares it): WebRTC
 * clients decode it, and recordings and RTMP pushes take it as it is. VP8 is encoded as well only while
 * someone who cannot decode H.264 watches (Firefox without Cisco's OpenH264 plug-in).
 */
const VIDEO_CODECS = {
  H264: {
    mimeType: 'video/H264',
    payloadType: 108,
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  VP8: { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
} as const satisfies Record<string, types.RtpCodecParameters>;
export type MixedVideoCodec = keyof typeof VIDEO_CODECS;

/** ffmpeg's encoder for a mixed video codec, tuned for real time. */
const ENCODER_ARGS: Record<MixedVideoCodec, string[]> = {
  H264: [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
    ...['-profile:v', 'baseline', '-pix_fmt', 'yuv420p'],
  ],
  VP8: [
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-error-resilient', '1'],
    ...['-auto-alt-ref', '0', '-lag-in-frames', '0'],
  ],
};
const OPUS = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 } as const;

/**
 * Where mixed media enters the router: a PlainTransport producer that subscribers, recordings and
 * streams consume, fed by an ffmpeg encoder run with `encoderArgs` (raw I420 frames or PCM on its stdin).
 */
export class RtpOutput {
  private constructor(
    readonly producer: types.Producer,
    private readonly transport: types.PlainTransport,
    readonly encoderArgs: string[],
  ) {}

  static async video(
    router: types.Router,
    encoding: VideoEncoding,
    codec: MixedVideoCodec = 'H264',
  ): Promise<RtpOutput> {
    const { width, height, fps, bitrate } = encoding;
    const parameters = VIDEO_CODECS[codec];
    return RtpOutput.open(
      router,
      'video',
      { ...parameters, parameters: { ...('parameters' in parameters ? parameters.parameters : {}) } },
      (ssrc, url) => [
        ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-framerate', String(fps)],
        // Frames are stamped when they arrive and keep those stamps: a frame dropped because the
        // encoder was behind leaves a gap instead of putting the video behind the audio.
        ...['-use_wallclock_as_timestamps', '1'],
        ...['-i', 'pipe:0', '-fps_mode', 'passthrough'],
        ...ENCODER_ARGS[codec],
        // Decoders, name cards and browsers' cameras all give BT.601 limited range: say so, or
        // players guess BT.709 for HD and show every colour off (greens darker).
        ...['-color_range', 'tv', '-colorspace', 'smpte170m'],
        ...['-color_primaries', 'smpte170m', '-color_trc', 'smpte170m'],
        // A key frame every half second: ffmpeg cannot answer a key frame request, and a new
        // subscriber or recording segment starts at the next one.
        ...['-g', String(Math.max(1, Math.round(fps / 2)))],
        ...['-b:v', String(bitrate), '-maxrate', String(bitrate), '-bufsize', String(bitrate)],
        // H.264 parameter sets before every key frame: a subscriber may start at any key frame.
        ...(codec === 'H264' ? ['-bsf:v', 'dump_extra=freq=keyframe'] : []),
        ...['-f', 'rtp', '-payload_type', String(parameters.payloadType), '-ssrc', String(ssrc), url],
      ],
    );
  }

  static async audio(router: types.Router, bitrate: number): Promise<RtpOutput> {
    return RtpOutput.open(router, 'audio', { ...OPUS, parameters: { useinbandfec: 1 } }, (ssrc, url) => [
      ...['-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', '1'],
      // The mix written while ffmpeg started (a second of it, queued in the pipe) would go out at once,
      // and every listener would hear the conference that late: audio is stamped as it comes and a
      // backlog beyond what the mixer's clock may burst after a stall (200 ms) is dropped.
      ...['-use_wallclock_as_timestamps', '1', '-i', 'pipe:0', '-af', 'aresample=async=1:min_hard_comp=0.25'],
      ...['-c:a', 'libopus', '-application', 'voip', '-frame_duration', '20', '-b:a', String(bitrate)],
      ...['-f', 'rtp', '-payload_type', String(OPUS.payloadType), '-ssrc', String(ssrc), url],
    ]);
  }

  private static async open(
    router: types.Router,
    kind: types.MediaKind,
    codec: types.RtpCodecParameters,
    args: (ssrc: number, url: string) => string[],
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
      return new RtpOutput(producer, transport, args(ssrc, url));
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  close(): void {
    this.transport.close();
  }
}
