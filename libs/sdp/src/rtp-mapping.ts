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

/**
 * What a client sends on a `sendonly` line, as mediasoup `produce()` parameters. Null when the router
 * supports none of the offered codecs or the line announces no encoding.
 */
export function producerParameters(line: OfferedLine, router: RtpCapabilities): RtpParameters | null {
  const negotiated = negotiatedParameters(line, router);
  if (!negotiated || line.encodings.length === 0) return null;
  const useRtx = negotiated.codecs.some((c) => c.mimeType.toLowerCase().endsWith('/rtx'));
  // libwebrtc sends each VP8 simulcast layer with three temporal layers. Unless mediasoup knows, it
  // forwards temporal layer 0 only: a quarter of the frame rate.
  const temporalLayers =
    line.encodings.length > 1 && negotiated.codecs[0]?.mimeType.toLowerCase() === 'video/vp8'
      ? { scalabilityMode: 'L1T3' }
      : {};
  return {
    ...negotiated,
    encodings: line.encodings.map((e) => ({
      ...temporalLayers,
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

/**
 * Whether a consumer's payload types are the ones the subscriber offered on its line (a client decodes
 * what it numbered itself). `without-rtx`: the media codec matches but the retransmission one does not,
 * so the consumer must go without RTX.
 */
export function payloadTypesFit(consumer: RtpParameters, line: OfferedLine): 'yes' | 'without-rtx' | 'no' {
  const isRtx = (c: RtpCodecParameters) => c.mimeType.toLowerCase().endsWith('/rtx');
  const media = consumer.codecs.filter((c) => !isRtx(c));
  const offered = (c: RtpCodecParameters | undefined) =>
    c &&
    line.codecs.find(
      (o) => o.payloadType === c.payloadType && o.mimeType.toLowerCase() === c.mimeType.toLowerCase(),
    );
  if (media.length === 0 || !media.every((c) => offered(c))) return 'no';
  const rtxFits = consumer.codecs
    .filter(isRtx)
    .every(
      (rtx) =>
        offered(media.find((m) => m.payloadType === rtx.parameters?.apt))?.rtxPayloadType === rtx.payloadType,
    );
  return rtxFits ? 'yes' : 'without-rtx';
}
