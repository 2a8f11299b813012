import type { types } from 'mediasoup';
import type { DecoderSource } from './decoder-input';
import { reserveRtpPorts } from './rtp-ports';

/** A producer's RTP leaving the router towards a local ffmpeg, and the SDP that tells ffmpeg about it. */
export interface PlainRtpLeg {
  transport: types.PlainTransport;
  consumer: types.Consumer;
  /** Where the RTP goes (RTCP to the next port). */
  port: number;
  /** The SDP media section (`m=` line onwards) for ffmpeg's RTP demuxer. */
  sdpMedia: string[];
}

/**
 * Consumes a producer (paused) on a PlainTransport that sends to a free local port pair, where ffmpeg
 * will listen (RTP on the even port, RTCP on the next, as its RTP demuxer expects).
 */
export async function openPlainRtpLeg(router: types.Router, producer: types.Producer): Promise<PlainRtpLeg> {
  const { port, release } = await reserveRtpPorts();
  const transport = await router
    .createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    })
    .catch((error: unknown) => {
      release();
      throw error;
    });
  transport.observer.once('close', release);
  try {
    await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
    });
    return { transport, consumer, port, sdpMedia: sdpMedia(consumer, port) };
  } catch (error) {
    transport.close();
    throw error;
  }
}

function sdpMedia(consumer: types.Consumer, port: number): string[] {
  const codec = consumer.rtpParameters.codecs[0];
  const [, name] = codec.mimeType.split('/');
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
  return [
    `m=${consumer.kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${codec.channels ? `/${codec.channels}` : ''}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
  ];
}

/** How a mixer decoder takes a leg's stream: VP9 is reassembled in the mixing thread (`decoder-input.ts`). */
export function decoderSource(leg: PlainRtpLeg): DecoderSource {
  return leg.consumer.rtpParameters.codecs[0].mimeType.toLowerCase() === 'video/vp9'
    ? { kind: 'vp9', port: leg.port }
    : { kind: 'sdp', sdp: sdpDocument(leg.sdpMedia) };
}

/** A whole SDP document for ffmpeg (`-f sdp -i pipe:0`) from one or more media sections. */
export function sdpDocument(...media: string[][]): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=mind',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    ...media.flat(),
    '',
  ].join('\r\n');
}

/** ffmpeg input options for RTP described by an SDP on its stdin. */
export const SDP_INPUT = ['-protocol_whitelist', 'pipe,udp,rtp', '-f', 'sdp', '-i', 'pipe:0'];
