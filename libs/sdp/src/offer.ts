import { parse, type MediaAttributes } from 'sdp-transform';

/** An offer the platform cannot answer; the message says why (it reaches the client as a 400). */
export class SdpError extends Error {}

export type Direction = 'sendonly' | 'recvonly' | 'sendrecv' | 'inactive';
export type LineKind = 'audio' | 'video' | 'application';

export interface OfferedCodec {
  payloadType: number;
  /** e.g. `video/VP8`. */
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters: Record<string, string | number>;
  rtcpFeedback: { type: string; parameter: string }[];
  /** Payload type of the RTX stream that repairs this codec, when offered. */
  rtxPayloadType?: number;
}

/** One encoding a client sends on a line: by RID (`a=rid` simulcast) or by SSRC (plain or `SIM` group). */
export interface OfferedEncoding {
  rid?: string;
  ssrc?: number;
  rtxSsrc?: number;
}

export interface OfferedLine {
  index: number;
  mid: string;
  kind: LineKind;
  protocol: string;
  direction: Direction;
  /** The msid stream id: `me#primary`, `<participantId>#secondary`, `conference`, or null (`-`/absent). */
  label: string | null;
  trackId: string | null;
  codecs: OfferedCodec[];
  headerExtensions: { id: number; uri: string }[];
  encodings: OfferedEncoding[];
  cname?: string;
  reducedSizeRtcp: boolean;
  /** `b=TIAS` of a receiving line, in bits per second. */
  maxBitrate?: number;
  /** `a=x-preferences:<maxFrameArea>@<maxFrameRate>` of a receiving line (0 = unlimited). */
  preferences?: { maxFrameArea: number; maxFrameRate: number };
  sctpPort?: number;
  maxMessageSize?: number;
}

export interface ParsedOffer {
  iceUfrag: string;
  icePwd: string;
  fingerprint: { algorithm: string; value: string };
  /** The offerer's DTLS setup attribute (`actpass` for browsers). */
  setup: 'actpass' | 'active' | 'passive';
  lines: OfferedLine[];
}

type Media = ReturnType<typeof parse>['media'][number];

const DIRECTIONS: ReadonlySet<string> = new Set(['sendonly', 'recvonly', 'sendrecv', 'inactive']);
/** What DTLS (RFC 8122) and the SFU take; `md5` and `md2` are refused as obsolete. */
const FINGERPRINT_ALGORITHMS: ReadonlySet<string> = new Set([
  'sha-1',
  'sha-224',
  'sha-256',
  'sha-384',
  'sha-512',
]);

function attribute<T>(
  line: Media,
  session: ReturnType<typeof parse>,
  pick: (m: MediaAttributes | typeof session) => T,
) {
  return pick(line) ?? pick(session);
}

function parseFmtp(config: string): Record<string, string | number> {
  const parameters: Record<string, string | number> = {};
  for (const pair of config.split(';')) {
    const [key, ...rest] = pair.trim().split('=');
    if (!key) continue;
    const value = rest.join('=');
    parameters[key] = /^\d+$/.test(value) && key !== 'profile-level-id' ? Number(value) : value;
  }
  return parameters;
}

function codecsOf(line: Media, kind: LineKind): OfferedCodec[] {
  if (kind === 'application') return [];
  const codecs = new Map<number, OfferedCodec>();
  for (const rtp of line.rtp ?? []) {
    codecs.set(rtp.payload, {
      payloadType: rtp.payload,
      mimeType: `${kind}/${rtp.codec}`,
      clockRate: rtp.rate ?? (kind === 'audio' ? 8000 : 90000),
      ...(rtp.encoding ? { channels: Number(rtp.encoding) } : {}),
      parameters: {},
      rtcpFeedback: [],
    });
  }
  for (const fmtp of line.fmtp ?? []) {
    const codec = codecs.get(fmtp.payload);
    if (codec) codec.parameters = parseFmtp(fmtp.config);
  }
  for (const fb of line.rtcpFb ?? []) {
    const targets = fb.payload === '*' ? [...codecs.values()] : [codecs.get(Number(fb.payload))];
    for (const codec of targets) codec?.rtcpFeedback.push({ type: fb.type, parameter: fb.subtype ?? '' });
  }
  // Order follows the m-line's payload list, which is the offerer's preference.
  const order = String(line.payloads ?? '')
    .split(' ')
    .map(Number);
  const ordered = order.map((pt) => codecs.get(pt)).filter((c): c is OfferedCodec => c !== undefined);
  for (const codec of ordered) {
    if (codec.mimeType.toLowerCase().endsWith('/rtx')) {
      const apt = Number(codec.parameters.apt);
      const repaired = codecs.get(apt);
      if (repaired) repaired.rtxPayloadType = codec.payloadType;
    }
  }
  return ordered.filter((c) => !c.mimeType.toLowerCase().endsWith('/rtx'));
}

function encodingsOf(line: Media): OfferedEncoding[] {
  const rids = (line.rids ?? []).filter((r) => r.direction === 'send');
  if (rids.length > 0) {
    // `a=simulcast:send l;m;h` (a leading `~` marks a layer paused at start) gives the order.
    const listed = line.simulcast?.list1
      ?.split(';')
      .flatMap((alternatives) => alternatives.split(','))
      .map((rid) => rid.replace(/^~/, ''));
    const order = listed && listed.length > 0 ? listed : rids.map((r) => String(r.id));
    return order.filter((rid) => rids.some((r) => String(r.id) === rid)).map((rid) => ({ rid }));
  }
  const groups = line.ssrcGroups ?? [];
  const fid = new Map<number, number>();
  for (const group of groups.filter((g) => g.semantics === 'FID')) {
    const [primary, rtx] = group.ssrcs.split(' ').map(Number);
    if (rtx !== undefined) fid.set(primary, rtx);
  }
  const withRtx = (ssrc: number): OfferedEncoding =>
    fid.has(ssrc) ? { ssrc, rtxSsrc: fid.get(ssrc) } : { ssrc };
  const sim = groups.find((g) => g.semantics === 'SIM');
  if (sim) return sim.ssrcs.split(' ').map(Number).map(withRtx);
  const repairs = new Set(fid.values());
  const first = [...new Set((line.ssrcs ?? []).map((s) => Number(s.id)))].find((ssrc) => !repairs.has(ssrc));
  return first === undefined ? [] : [withRtx(first)];
}

/**
 * The msid of an m-section, read from the raw text: labels like `me#primary` contain characters that
 * sdp-transform's msid grammar does not accept. `a=msid` wins over the legacy `a=ssrc:… msid:`.
 */
function msidOf(section: string): { label: string | null; trackId: string | null } {
  const match =
    /^a=msid:(\S+)(?:[ \t]+(\S+))?/m.exec(section) ?? /^a=ssrc:\d+ msid:(\S+)(?:[ \t]+(\S+))?/m.exec(section);
  if (!match) return { label: null, trackId: null };
  return { label: match[1] === '-' ? null : match[1], trackId: match[2] ?? null };
}

/**
 * Reads what the platform needs from a client's SDP offer. Refuses (SdpError) what cannot be a valid
 * WebRTC offer: no media, missing ICE credentials or DTLS fingerprint, a line without a mid.
 */
export function parseOffer(sdp: string): ParsedOffer {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0'))
    throw new SdpError('sdp must be an SDP offer (v=0 ...)');
  let session: ReturnType<typeof parse>;
  try {
    session = parse(sdp);
  } catch (error) {
    throw new SdpError(`sdp cannot be parsed: ${(error as Error).message}`);
  }
  if (!session.media || session.media.length === 0) throw new SdpError('sdp has no m-line');

  const first = session.media[0];
  const iceUfrag = attribute(first, session, (m) => m.iceUfrag);
  const icePwd = attribute(first, session, (m) => m.icePwd);
  const fingerprint = attribute(first, session, (m) => m.fingerprint);
  const setup = attribute(first, session, (m) => m.setup);
  if (!iceUfrag || !icePwd) throw new SdpError('sdp has no ICE credentials (a=ice-ufrag, a=ice-pwd)');
  if (!fingerprint) throw new SdpError('sdp has no DTLS fingerprint (a=fingerprint)');
  if (!FINGERPRINT_ALGORITHMS.has(String(fingerprint.type).toLowerCase())) {
    throw new SdpError(
      `sdp's DTLS fingerprint uses ${fingerprint.type}: one of sha-1, sha-224, sha-256, sha-384, sha-512 is needed`,
    );
  }

  const sections = sdp.split(/\r?\n(?=m=)/).slice(1);
  const seenMids = new Set<string>();
  const lines = session.media.map((media, index): OfferedLine => {
    const kind = media.type as LineKind;
    if (kind !== 'audio' && kind !== 'video' && kind !== 'application') {
      throw new SdpError(`m-line ${index} has unsupported media type "${media.type}"`);
    }
    const mid = media.mid === undefined ? undefined : String(media.mid);
    if (mid === undefined || mid === '') throw new SdpError(`m-line ${index} has no a=mid`);
    if (seenMids.has(mid)) throw new SdpError(`m-line ${index} repeats mid "${mid}"`);
    seenMids.add(mid);
    const direction = (media.direction ?? session.direction ?? 'sendrecv') as Direction;
    if (!DIRECTIONS.has(direction)) throw new SdpError(`m-line ${index} has an invalid direction`);
    const tias = media.bandwidth?.find((b) => b.type === 'TIAS');
    const preferences = (media.invalid ?? [])
      .map((i) => /^x-preferences:(\d+)@(\d+)$/.exec(i.value))
      .find((m) => m !== null);
    return {
      index,
      mid,
      kind,
      protocol: media.protocol,
      // Port 0 rejects a line, except with `a=bundle-only` (Firefox offers every bundled line so).
      direction: media.port === 0 && !/^a=bundle-only/m.test(sections[index] ?? '') ? 'inactive' : direction,
      ...msidOf(sections[index] ?? ''),
      codecs: codecsOf(media, kind),
      headerExtensions: (media.ext ?? []).map((e) => ({ id: e.value, uri: e.uri })),
      encodings: kind === 'application' ? [] : encodingsOf(media),
      cname: media.ssrcs?.find((s) => s.attribute === 'cname')?.value,
      reducedSizeRtcp: media.rtcpRsize === 'rtcp-rsize',
      ...(tias ? { maxBitrate: Number(tias.limit) } : {}),
      ...(preferences
        ? { preferences: { maxFrameArea: Number(preferences[1]), maxFrameRate: Number(preferences[2]) } }
        : {}),
      ...(kind === 'application'
        ? { sctpPort: media.sctpPort ?? 5000, maxMessageSize: media.maxMessageSize ?? 65536 }
        : {}),
    };
  });
  // One RTP stream cannot arrive on two lines: the transport could not tell them apart.
  const sendingSsrcs = new Map<number, number>();
  for (const line of lines) {
    if (line.direction !== 'sendonly' && line.direction !== 'sendrecv') continue;
    for (const { ssrc, rtxSsrc } of line.encodings) {
      for (const id of [ssrc, rtxSsrc]) {
        if (id === undefined) continue;
        const other = sendingSsrcs.get(id);
        if (other !== undefined && other !== line.index)
          throw new SdpError(`m-lines ${other} and ${line.index} send the same ssrc ${id}`);
        sendingSsrcs.set(id, line.index);
      }
    }
  }
  return {
    iceUfrag,
    icePwd,
    fingerprint: { algorithm: fingerprint.type.toLowerCase(), value: fingerprint.hash },
    setup: (setup ?? 'actpass') as ParsedOffer['setup'],
    lines,
  };
}
