import { write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import type { types } from 'mediasoup';
import type { OfferedLine, ParsedOffer } from './offer';

type RtpParameters = types.RtpParameters;

/** How the platform answers one m-line of an offer. */
export type LineAnswer =
  /** The client sends (`sendonly`): answer `recvonly` with the accepted codecs, echoing simulcast. */
  | { mode: 'receive'; parameters: RtpParameters }
  /** The client subscribes (`recvonly`): answer `sendonly` with the consumer's SSRCs under `label`. */
  | { mode: 'send'; parameters: RtpParameters; label: string; trackId: string }
  /** Not used now; `parameters` (when any codec is acceptable) keeps codecs and extensions negotiated. */
  | { mode: 'inactive'; parameters?: RtpParameters | null }
  | { mode: 'datachannel' };

/** The server side of the WebRTC transport, as mediasoup describes its WebRtcTransport. */
export interface ServerTransport {
  iceParameters: { usernameFragment: string; password: string };
  iceCandidates: {
    foundation: string;
    priority: number;
    address: string;
    protocol: 'udp' | 'tcp';
    port: number;
    tcpType?: string;
  }[];
  fingerprints: { algorithm: string; value: string }[];
  sctp?: { port: number; maxMessageSize: number };
}

/** Our DTLS role from the offerer's `a=setup`: browsers offer `actpass` and the server becomes the client. */
export function localDtlsRole(offer: ParsedOffer): 'client' | 'server' {
  return offer.setup === 'active' ? 'server' : 'client';
}

function fmtpConfig(parameters: Record<string, unknown> | undefined): string | null {
  const entries = Object.entries(parameters ?? {});
  return entries.length === 0 ? null : entries.map(([k, v]) => `${k}=${v}`).join(';');
}

function codecSection(parameters: RtpParameters): Partial<MediaDescription> {
  const rtp: MediaDescription['rtp'] = [];
  const fmtp: NonNullable<MediaDescription['fmtp']> = [];
  const rtcpFb: NonNullable<MediaDescription['rtcpFb']> = [];
  for (const codec of parameters.codecs) {
    const [, name] = codec.mimeType.split('/');
    rtp.push({
      payload: codec.payloadType,
      codec: name,
      rate: codec.clockRate,
      ...(codec.channels && codec.channels > 1 ? { encoding: codec.channels } : {}),
    });
    const config = fmtpConfig(codec.parameters);
    if (config) fmtp.push({ payload: codec.payloadType, config });
    for (const fb of codec.rtcpFeedback ?? []) {
      rtcpFb.push({
        payload: codec.payloadType,
        type: fb.type,
        ...(fb.parameter ? { subtype: fb.parameter } : {}),
      });
    }
  }
  return {
    payloads: parameters.codecs.map((c) => c.payloadType).join(' '),
    rtp,
    fmtp,
    rtcpFb,
    ext: (parameters.headerExtensions ?? []).map((e) => ({ value: e.id, uri: e.uri })),
  };
}

function receiveSection(line: OfferedLine, parameters: RtpParameters): Partial<MediaDescription> {
  const rids = (parameters.encodings ?? []).map((e) => e.rid).filter((rid): rid is string => !!rid);
  return {
    ...codecSection(parameters),
    direction: 'recvonly',
    ...(rids.length > 0 && line.encodings.some((e) => e.rid)
      ? {
          rids: rids.map((id) => ({ id, direction: 'recv' })),
          simulcast: { dir1: 'recv', list1: rids.join(';') },
        }
      : {}),
  };
}

function sendSection(answer: Extract<LineAnswer, { mode: 'send' }>): Partial<MediaDescription> {
  const { label, trackId } = answer;
  // A consumer carries every codec its producer declared but sends only the first (and its RTX).
  const [first] = answer.parameters.codecs;
  const parameters = {
    ...answer.parameters,
    codecs: answer.parameters.codecs.filter((c) => c === first || c.parameters?.apt === first.payloadType),
  };
  const encoding = parameters.encodings?.[0];
  const cname = parameters.rtcp?.cname ?? 'mind';
  const ssrcs: NonNullable<MediaDescription['ssrcs']> = [];
  const ssrcGroups: NonNullable<MediaDescription['ssrcGroups']> = [];
  if (encoding?.ssrc !== undefined) {
    const all = [encoding.ssrc, ...(encoding.rtx?.ssrc !== undefined ? [encoding.rtx.ssrc] : [])];
    for (const ssrc of all) {
      ssrcs.push(
        { id: ssrc, attribute: 'cname', value: cname },
        { id: ssrc, attribute: 'msid', value: `${label} ${trackId}` },
      );
    }
    if (all.length === 2) ssrcGroups.push({ semantics: 'FID', ssrcs: all.join(' ') });
  }
  return {
    ...codecSection(parameters),
    direction: 'sendonly',
    msid: [{ id: label, appdata: trackId }],
    ssrcs,
    ssrcGroups,
  };
}

/** An inactive line: the acceptable codecs and extensions, else the client's first codec (a format is required). */
function inactiveSection(line: OfferedLine, parameters?: RtpParameters | null): Partial<MediaDescription> {
  if (parameters) return { ...codecSection(parameters), direction: 'inactive' };
  const codec = line.codecs[0];
  if (!codec) return { payloads: '0', direction: 'inactive', rtp: [] };
  const [, name] = codec.mimeType.split('/');
  return {
    payloads: String(codec.payloadType),
    rtp: [
      {
        payload: codec.payloadType,
        codec: name,
        rate: codec.clockRate,
        ...(codec.channels && codec.channels > 1 ? { encoding: codec.channels } : {}),
      },
    ],
    direction: 'inactive',
  };
}

/**
 * The SDP answer to an offer: the same m-lines in the same order with the same mids, all bundled on one
 * ICE-lite transport whose candidates are all inline (no trickle), never a rejected (port 0) line.
 */
export function buildAnswer(
  offer: ParsedOffer,
  transport: ServerTransport,
  answers: LineAnswer[],
  version = 1,
): string {
  if (answers.length !== offer.lines.length) throw new Error('one answer per offered m-line is needed');
  const role = localDtlsRole(offer);
  const fingerprint =
    transport.fingerprints.find((f) => f.algorithm === 'sha-256') ?? transport.fingerprints[0];
  const candidates = transport.iceCandidates.map((c) => ({
    foundation: c.foundation,
    component: 1,
    transport: c.protocol,
    priority: c.priority,
    ip: c.address,
    port: c.port,
    type: 'host',
    ...(c.protocol === 'tcp' ? { tcptype: c.tcpType ?? 'passive' } : {}),
  }));
  const media = offer.lines.map((line, index): MediaDescription => {
    const answer = answers[index];
    const common = {
      type: line.kind,
      port: 7,
      protocol: line.protocol,
      connection: { version: 4, ip: '127.0.0.1' },
      mid: line.mid,
      iceUfrag: transport.iceParameters.usernameFragment,
      icePwd: transport.iceParameters.password,
      fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
      setup: role === 'client' ? 'active' : 'passive',
      candidates,
      endOfCandidates: 'end-of-candidates',
    };
    if (line.kind === 'application') {
      return {
        ...common,
        payloads: 'webrtc-datachannel',
        sctpPort: transport.sctp?.port ?? 5000,
        maxMessageSize: transport.sctp?.maxMessageSize ?? 262144,
        rtp: [],
        fmtp: [],
      } as MediaDescription;
    }
    const section =
      answer.mode === 'receive'
        ? receiveSection(line, answer.parameters)
        : answer.mode === 'send'
          ? sendSection(answer)
          : inactiveSection(line, answer.mode === 'inactive' ? answer.parameters : null);
    return {
      ...common,
      rtcpMux: 'rtcp-mux',
      ...(line.reducedSizeRtcp ? { rtcpRsize: 'rtcp-rsize' } : {}),
      fmtp: [],
      ...section,
    } as MediaDescription;
  });
  const description: SessionDescription = {
    version: 0,
    origin: {
      username: 'mind',
      sessionId: 1,
      sessionVersion: version,
      netType: 'IN',
      ipVer: 4,
      address: '0.0.0.0',
    },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    msidSemantic: { semantic: 'WMS', token: '*' },
    groups: [{ type: 'BUNDLE', mids: offer.lines.map((l) => l.mid).join(' ') }],
    media,
  };
  return write(description);
}
