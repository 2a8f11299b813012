import { isSameProfile } from 'h264-profile-level-id';
import type { types } from 'mediasoup';
import type { OfferedCodec, OfferedLine } from './offer';

type RtpCapabilities = types.RtpCapabilities;
type RtpCodecCapability = types.RtpCodecCapability;
type RtpParameters = types.RtpParameters;
type RtpCodecParameters = types.RtpCodecParameters;
type MediaKind = types.MediaKind;

const SUPPORTED_FEEDBACK = new Set(['nack', 'ccm', 'goog-remb', 'transport-cc']);

/** Whether an offered codec is the same codec as a router codec (mediasoup's own matching rules). */
function sameCodec(offered: OfferedCodec, router: RtpCodecCapability): boolean {
  if (offered.mimeType.toLowerCase() !== router.mimeType.toLowerCase()) return false;
  if (offered.clockRate !== router.clockRate) return false;
  if (router.kind === 'audio' && (offered.channels ?? 1) !== (router.channels ?? 1)) return false;
  const mime = router.mimeType.toLowerCase();
  if (mime === 'video/h264') {
    const mode = (p: Record<string, unknown> | undefined) => Number(p?.['packetization-mode'] ?? 0);
    return (
      mode(offered.parameters) === mode(router.parameters) &&
      isSameProfile(offered.parameters, router.parameters)
    );
  }
  if (mime === 'video/vp9') {
    const profile = (p: Record<string, unknown> | undefined) => Number(p?.['profile-id'] ?? 0);
    return profile(offered.parameters) === profile(router.parameters);
  }
  return true;
}

/** Offered codecs the router can forward, in the router's order of preference (the client sends the first). */
function acceptedCodecs(line: OfferedLine, router: RtpCapabilities): OfferedCodec[] {
  const routerCodecs = (router.codecs ?? []).filter((c) => c.kind === line.kind);
  const rank = (codec: OfferedCodec) => routerCodecs.findIndex((r) => sameCodec(codec, r));
  return line.codecs.filter((codec) => rank(codec) >= 0).sort((a, b) => rank(a) - rank(b));
}

function feedbackOf(codec: OfferedCodec) {
  return codec.rtcpFeedback.filter((fb) => SUPPORTED_FEEDBACK.has(fb.type));
}

function supportedExtensions(line: OfferedLine, router: RtpCapabilities) {
  const uris = new Set(
    (router.headerExtensions ?? []).filter((e) => e.kind === line.kind).map((e) => e.uri as string),
  );
  return line.headerExtensions.filter((e) => uris.has(e.uri));
}

function rtxFor(codec: OfferedCodec, kind: MediaKind): RtpCodecParameters[] {
  return codec.rtxPayloadType === undefined || kind !== 'video'
    ? []
    : [
        {
          mimeType: 'video/rtx',
          payloadType: codec.rtxPayloadType,
          clockRate: codec.clockRate,
          parameters: { apt: codec.payloadType },
        },
      ];
}

/**
 * The codecs (first = the one the client will send) and header extensions the platform accepts on a
 * line, with the client's payload types and ids. Also answered on inactive lines: a browser only keeps
 * offering an extension (e.g. the RID one simulcast needs) on a line where it was once accepted.
 */
export function negotiatedParameters(line: OfferedLine, router: RtpCapabilities): RtpParameters | null {
  if (line.kind === 'application') return null;
  const kind: MediaKind = line.kind;
  const codecs = acceptedCodecs(line, router);
  if (codecs.length === 0) return null;
  return {
    mid: line.mid,
    codecs: codecs.flatMap((codec) => [
      {
        mimeType: codec.mimeType,
        payloadType: codec.payloadType,
        clockRate: codec.clockRate,
        ...(codec.channels ? { channels: codec.channels } : {}),
        parameters: codec.parameters,
        rtcpFeedback: feedbackOf(codec),
      },
      ...rtxFor(codec, kind),
    ]),
    headerExtensions: supportedExtensions(line, router).map((e) => ({
      uri: e.uri as types.RtpHeaderExtensionUri,
      id: e.id,
    })),
    encodings: [],
    rtcp: { ...(line.cname ? { cname: line.cname } : {}), reducedSize: line.reducedSizeRtcp },
  };
}

/** Video codecs a publisher may send, by the names operators use. */
export const VIDEO_CODEC_NAMES = ['VP8', 'H264', 'VP9'] as const;
export type VideoCodecName = (typeof VIDEO_CODEC_NAMES)[number];

/**
 * Which video codec a node takes from a publisher, in order of preference. Mind SDKs send the codec
 * they find first in the answer after their own edit (VP8, then H264 moved to the front), so a
 * publishing line is answered with exactly one video codec: the one it must send.
 */
export interface PublishingPolicy {
  /** For a line that sends simulcast (rids or an SSRC `SIM` group). */
  simulcast: readonly VideoCodecName[];
  /** For a line that sends one encoding: SVC layers when the codec has them (the SDK's VP9 option). */
  single: readonly VideoCodecName[];
}

export const DEFAULT_PUBLISHING_POLICY: PublishingPolicy = {
  simulcast: ['VP8', 'H264'],
  single: ['VP9', 'VP8', 'H264'],
};

/** The one video codec a publishing line is answered with, or null when it offers none the policy takes. */
export function publishedVideoCodec(
  line: OfferedLine,
  router: RtpCapabilities,
  policy: PublishingPolicy,
): OfferedCodec | null {
  const accepted = acceptedCodecs(line, router);
  const preference = line.encodings.length > 1 ? policy.simulcast : policy.single;
  for (const name of preference) {
    const codec = accepted.find((c) => c.mimeType.toLowerCase() === `video/${name.toLowerCase()}`);
    if (codec) return codec;
  }
  return null;
}

/**
 * What the platform accepts on a line the client publishes on (sending, or inactive between two
 * publications): audio as negotiated, video with only the codec the policy picks (and its RTX).
 */
export function publishedParameters(
  line: OfferedLine,
  router: RtpCapabilities,
  policy: PublishingPolicy,
): RtpParameters | null {
  const negotiated = negotiatedParameters(line, router);
  if (!negotiated || line.kind !== 'video') return negotiated;
  const codec = publishedVideoCodec(line, router, policy);
  if (!codec) return null;
  return {
    ...negotiated,
    codecs: negotiated.codecs.filter(
      (c) => c.payloadType === codec.payloadType || c.parameters?.apt === codec.payloadType,
    ),
  };
}

/**
 * Layers mediasoup must know about to forward them: libwebrtc sends each VP8 simulcast layer with
 * three temporal layers (else only temporal layer 0 is forwarded, a quarter of the frame rate), and
 * the SDK's VP9 option sends one SVC encoding of up to three spatial layers (`L1T3` .. `L3T3_KEY`;
 * the key-frame variant is the safe assumption: layers are only switched up at key frames).
 */
function scalabilityMode(mimeType: string | undefined, encodings: number): string | undefined {
  const mime = mimeType?.toLowerCase();
  if (mime === 'video/vp8' && encodings > 1) return 'L1T3';
  if (mime === 'video/vp9' && encodings === 1) return 'L3T3_KEY';
  return undefined;
}

/**
 * What a client sends on a `sendonly` line, as mediasoup `produce()` parameters. Null when the policy
 * takes none of the offered codecs or the line announces no encoding.
 */
export function producerParameters(
  line: OfferedLine,
  router: RtpCapabilities,
  policy: PublishingPolicy,
): RtpParameters | null {
  const published = publishedParameters(line, router, policy);
  if (!published || line.encodings.length === 0) return null;
  const useRtx = published.codecs.some((c) => c.mimeType.toLowerCase().endsWith('/rtx'));
  const mode = scalabilityMode(published.codecs[0]?.mimeType, line.encodings.length);
  return {
    ...published,
    encodings: line.encodings.map((e) => ({
      ...(mode ? { scalabilityMode: mode } : {}),
      ...(e.rid ? { rid: e.rid } : {}),
      ...(e.ssrc !== undefined ? { ssrc: e.ssrc } : {}),
      ...(useRtx && e.rtxSsrc !== undefined ? { rtx: { ssrc: e.rtxSsrc } } : {}),
    })),
  };
}

/**
 * What a client can receive on a `recvonly` line, as mediasoup RTP capabilities. Payload types and
 * header extension ids are the client's own, so that a consumer created with them matches the answer.
 */
export function receiverCapabilities(line: OfferedLine, router: RtpCapabilities): RtpCapabilities {
  if (line.kind === 'application') return { codecs: [], headerExtensions: [] };
  const kind: MediaKind = line.kind;
  return {
    codecs: acceptedCodecs(line, router).flatMap((codec): RtpCodecCapability[] => [
      {
        kind,
        mimeType: codec.mimeType,
        preferredPayloadType: codec.payloadType,
        clockRate: codec.clockRate,
        ...(codec.channels ? { channels: codec.channels } : {}),
        parameters: codec.parameters,
        rtcpFeedback: feedbackOf(codec),
      },
      ...rtxFor(codec, kind).map((rtx): RtpCodecCapability => ({
        kind,
        mimeType: rtx.mimeType,
        preferredPayloadType: rtx.payloadType,
        clockRate: rtx.clockRate,
        parameters: rtx.parameters,
        rtcpFeedback: [],
      })),
    ]),
    headerExtensions: supportedExtensions(line, router).map((e) => ({
      kind,
      uri: e.uri as types.RtpHeaderExtensionUri,
      preferredId: e.id,
      preferredEncrypt: false,
      direction: 'sendrecv' as const,
    })),
  };
}
