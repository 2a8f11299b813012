import { isIP } from 'node:net';
import { parse, write } from 'sdp-transform';

/** The phone codecs the gateway transcodes, as offered (RFC 3551 static types, Opus dynamic). */
export type PhoneCodecName = 'opus' | 'G722' | 'PCMU' | 'PCMA';

export interface PhoneCodec {
  name: PhoneCodecName;
  payloadType: number;
  clockRate: number;
}

/**
 * In order of preference: Opus keeps the conference's wideband voice, G.722 (HD voice of desk phones)
 * keeps 7 kHz of it, G.711 is what every phone has. G.722's RTP clock is 8 kHz although it samples at
 * 16 kHz (RFC 3551 §4.5.2).
 */
const OFFERED: (PhoneCodec & { channels?: number; fmtp?: string })[] = [
  { name: 'opus', payloadType: 111, clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' },
  { name: 'G722', payloadType: 9, clockRate: 8000 },
  { name: 'PCMU', payloadType: 0, clockRate: 8000 },
  { name: 'PCMA', payloadType: 8, clockRate: 8000 },
];
const TELEPHONE_EVENT = 101;

export class SdpAnswerError extends Error {}

/** Our offer: audio only, from `ip:port`, with RFC 4733 telephone events for DTMF. */
export function phoneOffer(ip: string, port: number, sessionId: number): string {
  const ipVer = isIP(ip) === 6 ? 6 : 4;
  return write({
    version: 0,
    origin: {
      username: 'mind',
      sessionId,
      sessionVersion: 1,
      netType: 'IN',
      ipVer,
      address: ip,
    },
    name: 'Mind conference',
    connection: { version: ipVer, ip },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port,
        protocol: 'RTP/AVP',
        payloads: [...OFFERED.map((c) => c.payloadType), TELEPHONE_EVENT].join(' '),
        rtp: [
          ...OFFERED.map((c) => ({
            payload: c.payloadType,
            codec: c.name,
            rate: c.clockRate,
            ...(c.channels ? { encoding: c.channels } : {}),
          })),
          { payload: TELEPHONE_EVENT, codec: 'telephone-event', rate: 8000 },
        ],
        fmtp: [
          ...OFFERED.filter((c) => c.fmtp).map((c) => ({ payload: c.payloadType, config: c.fmtp! })),
          { payload: TELEPHONE_EVENT, config: '0-16' },
        ],
        ptime: 20,
        direction: 'sendrecv',
      },
    ],
  });
}

export interface PhoneMedia {
  ip: string;
  port: number;
  /** The codec the phone chose (the first of its answer that we offered). */
  codec: PhoneCodec;
  /** Other offered codecs it also accepted: RTP may come in any of them (RFC 3264 §6.1). */
  accepted: PhoneCodec[];
  telephoneEvent?: number;
}

/** Where the phone's media goes and in which codec, from its SDP answer. */
export function readPhoneAnswer(answer: string): PhoneMedia {
  let session;
  try {
    session = parse(answer);
  } catch {
    throw new SdpAnswerError('the answer is not SDP');
  }
  const audio = session.media?.find((m) => m.type === 'audio' && m.port > 0);
  if (!audio) throw new SdpAnswerError('the answer has no audio');
  const ip = audio.connection?.ip ?? session.connection?.ip;
  if (!ip || isIP(ip) === 0) throw new SdpAnswerError('the answer has no connection address');
  const payloads = String(audio.payloads ?? '')
    .split(/\s+/)
    .map(Number);
  const accepted = payloads
    .map((pt) => OFFERED.find((codec) => codec.payloadType === pt))
    .filter((codec): codec is (typeof OFFERED)[number] => codec !== undefined)
    .map(({ name, payloadType, clockRate }) => ({ name, payloadType, clockRate }));
  if (accepted.length === 0) throw new SdpAnswerError('the answer takes none of the offered codecs');
  const telephoneEvent = audio.rtp.find((r) => r.codec.toLowerCase() === 'telephone-event')?.payload;
  return {
    ip,
    port: audio.port,
    codec: accepted[0],
    accepted,
    ...(telephoneEvent !== undefined ? { telephoneEvent } : {}),
  };
}
