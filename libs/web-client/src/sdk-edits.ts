/**
 * The SDP edits Mind SDKs make around each offer/answer exchange (participant protocol, "What Mind
 * SDKs change in the answer"), so that this client puts on the wire, and sends with, exactly what a
 * real SDK would. Pure text functions: the same code runs in browsers and in unit tests against the
 * SDK's captured exchanges.
 */

/** What decides which edits a browser gets. */
export interface ClientTraits {
  /** Firefox's major version, when the browser is Firefox. */
  firefox?: number;
  /** The SDK's VP9 option in effect: one SVC encoding with VP9 instead of simulcast. */
  vp9: boolean;
}

/** What the client asks of one m-line of its offer. */
export interface LineHints {
  /** msid stream id: `me#primary`, `<participantId>#secondary`, `conference`, or `-` on an unused line. */
  label: string;
  /** The msid track id; an unused line gets its mid. */
  trackId?: string;
  /** `b=TIAS`, bits per second, for a receiving video line. */
  maxBitrate?: number;
  /** `a=x-preferences:<maxFrameArea>@<maxFrameRate>` for a receiving video line (0 = unlimited). */
  preferences?: { maxFrameArea: number; maxFrameRate: number };
}

/** Indexes of the m-lines a participant publishes on (mids 2 and 4) and where subscriptions start. */
const PUBLISHED_VIDEO_SECTIONS = [2, 4];
const FIRST_SUBSCRIPTION_SECTION = 5;
/** What the SDK asks a REMB-only server to start at, in kbit/s. */
const START_BITRATE_KBPS = 1000;

/** An SDP as its session part and m-sections, each a list of lines without line endings. */
interface Sections {
  session: string[];
  media: string[][];
}

function split(sdp: string): Sections {
  const lines = sdp.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const sections: Sections = { session: [], media: [] };
  for (const line of lines) {
    if (line.startsWith('m=')) sections.media.push([line]);
    else (sections.media.at(-1) ?? sections.session).push(line);
  }
  return sections;
}

function join(sections: Sections): string {
  return [...sections.session, ...sections.media.flat()].join('\r\n') + '\r\n';
}

function edit(sdp: string, change: (section: string[], index: number) => string[]): string {
  const sections = split(sdp);
  sections.media = sections.media.map(change);
  return join(sections);
}

const kindOf = (section: string[]) => /^m=(\w+)/.exec(section[0])?.[1];
const isRtp = (section: string[]) => kindOf(section) === 'audio' || kindOf(section) === 'video';
const midOf = (section: string[]) => section.find((l) => l.startsWith('a=mid:'))?.slice(6);
const directionOf = (section: string[]) =>
  section.find((l) => /^a=(sendonly|recvonly|sendrecv|inactive)$/.test(l))?.slice(2);

/** Payload types of a section by codec name (`VP8`, `rtx`, ...), in m-line order. */
function payloadTypes(section: string[], codec: string): string[] {
  const named = new Set(
    section
      .map((l) => /^a=rtpmap:(\d+) ([^/]+)\//.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && m[2].toLowerCase() === codec.toLowerCase())
      .map((m) => m[1]),
  );
  return section[0]
    .split(' ')
    .slice(3)
    .filter((pt) => named.has(pt));
}

function withoutPayloadTypes(section: string[], removed: Set<string>): string[] {
  const [header, ...rest] = section;
  const fields = header.split(' ');
  const kept = [...fields.slice(0, 3), ...fields.slice(3).filter((pt) => !removed.has(pt))].join(' ');
  return [
    kept,
    ...rest.filter((l) => {
      const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(l)?.[1];
      return pt === undefined || !removed.has(pt);
    }),
  ];
}

// --- the offer, before setLocalDescription -------------------------------------------------------

/**
 * Edits made to `createOffer()`'s SDP before it becomes the local description: extended RTCP
 * receiver reports on every codec (not in Firefox), and no retransmission stream for ulpfec.
 */
export function editOfferBeforeApplying(sdp: string, traits: ClientTraits): string {
  return edit(sdp, (section) => {
    if (!isRtp(section)) return section;
    const ulpfec = new Set(payloadTypes(section, 'ulpfec'));
    const rtxOfUlpfec = new Set(
      payloadTypes(section, 'rtx').filter((pt) =>
        section.some((l) => {
          const apt = new RegExp(`^a=fmtp:${pt} apt=(\\d+)$`).exec(l)?.[1];
          return apt !== undefined && ulpfec.has(apt);
        }),
      ),
    );
    const edited = withoutPayloadTypes(section, rtxOfUlpfec);
    if (traits.firefox !== undefined || edited.includes('a=rtcp-fb:* rrtr')) return edited;
    return [...edited, 'a=rtcp-fb:* rrtr'];
  });
}

// --- the offer, as it is sent --------------------------------------------------------------------

/**
 * Edits made to the local description before it is POSTed: host candidates stripped, each m-line
 * labelled through `a=msid` (the browser's `a=ssrc … msid:` lines are left as they are), subscription
 * hints added, and inactive video send lines without simulcast given the three rids (paused) so that
 * the rid extensions stay negotiated for later (not with the VP9 option).
 */
export function editOfferForSending(
  sdp: string,
  hintsByMid: ReadonlyMap<string, LineHints>,
  traits: ClientTraits,
): string {
  return edit(sdp, (section, index) => {
    const candidatesKept = section.filter((l) => !/^a=candidate:.* typ host( |$)/.test(l));
    const mid = midOf(candidatesKept);
    const hints = mid === undefined ? undefined : hintsByMid.get(mid);
    if (!isRtp(candidatesKept) || !hints || mid === undefined) return candidatesKept;
    const lines = candidatesKept.filter(
      (l) => !l.startsWith('a=msid:') && !l.startsWith('b=TIAS:') && !l.startsWith('a=x-preferences:'),
    );
    lines.splice(lines.indexOf(`a=mid:${mid}`) + 1, 0, `a=msid:${hints.label} ${hints.trackId ?? mid}`);
    if (hints.maxBitrate)
      lines.splice(lines.findIndex((l) => l.startsWith('c=')) + 1, 0, `b=TIAS:${hints.maxBitrate}`);
    const video = kindOf(lines) === 'video';
    if (video && index >= FIRST_SUBSCRIPTION_SECTION && directionOf(lines) === 'recvonly') {
      const { maxFrameArea = 0, maxFrameRate = 0 } = hints.preferences ?? {};
      lines.push(`a=x-preferences:${maxFrameArea}@${maxFrameRate}`);
    }
    const simulcastMissing = !lines.some((l) => l.startsWith('a=simulcast:'));
    if (
      video &&
      !traits.vp9 &&
      PUBLISHED_VIDEO_SECTIONS.includes(index) &&
      directionOf(lines) === 'inactive' &&
      simulcastMissing
    ) {
      lines.push('a=rid:l send', 'a=rid:m send', 'a=rid:h send', 'a=simulcast:send ~l;~m;h');
    }
    return lines;
  });
}

// --- the answer, before setRemoteDescription -----------------------------------------------------

function moveToFront(section: string[], pts: string[]): string[] {
  if (pts.length === 0) return section;
  const fields = section[0].split(' ');
  const rest = fields.slice(3).filter((pt) => !pts.includes(pt));
  return [[...fields.slice(0, 3), ...pts, ...rest].join(' '), ...section.slice(1)];
}

/**
 * The codec a browser sends first: VP8, then H264 moved to the front (so H264 wins when listed), or
 * only VP9 with the VP9 option.
 */
function preferSendingCodec(section: string[], traits: ClientTraits): string[] {
  if (traits.vp9) return moveToFront(section, payloadTypes(section, 'VP9').slice(0, 1));
  const vp8First = moveToFront(section, payloadTypes(section, 'VP8').slice(0, 1));
  return moveToFront(vp8First, payloadTypes(vp8First, 'H264').slice(0, 1));
}

/** A REMB-only answer (no transport-cc for the sending codec) gets a start bitrate on that codec. */
function startBitrateWithoutTransportCc(section: string[]): string[] {
  const first = section[0].split(' ')[3];
  if (first === undefined || section.includes(`a=rtcp-fb:${first} transport-cc`)) return section;
  const fmtp = section.findIndex((l) => l.startsWith(`a=fmtp:${first} `));
  const parameter = `x-google-start-bitrate=${START_BITRATE_KBPS}`;
  if (fmtp >= 0) return section.map((l, i) => (i === fmtp ? `${l};${parameter}` : l));
  const rtpmap = section.findIndex((l) => l.startsWith(`a=rtpmap:${first} `));
  return [...section.slice(0, rtpmap + 1), `a=fmtp:${first} ${parameter}`, ...section.slice(rtpmap + 1)];
}

/**
 * Edits made to the platform's answer before it is applied. `localOffer` is the local description
 * the offer was made from (before the send-time edits).
 */
export function editAnswerBeforeApplying(answer: string, localOffer: string, traits: ClientTraits): string {
  const local = split(localOffer).media;
  return edit(answer, (section, index) => {
    let edited = section;
    if (kindOf(edited) !== 'video') return edited;
    if (PUBLISHED_VIDEO_SECTIONS.includes(index)) {
      edited = startBitrateWithoutTransportCc(preferSendingCodec(edited, traits));
    }
    const localSimulcast = local[index]?.some((l) => l.startsWith('a=simulcast:')) ?? false;
    if (!localSimulcast && !(traits.firefox !== undefined && traits.firefox >= 110)) {
      edited = edited.filter((l) => !l.startsWith('a=rid:') && !l.startsWith('a=simulcast:'));
    }
    if (index >= FIRST_SUBSCRIPTION_SECTION) edited = edited.filter((l) => !l.startsWith('b=TIAS:'));
    return edited;
  });
}

/** The traits of the browser this runs in, as the SDK reads them from the user agent. */
export function clientTraits(userAgent: string, useVp9ForSendingVideo: boolean): ClientTraits {
  const firefox = /Firefox\/(\d+)/.exec(userAgent)?.[1];
  const chrome = Number(/ Chrome\/(\d+)/.exec(userAgent)?.[1] ?? 0);
  return {
    ...(firefox ? { firefox: Number(firefox) } : {}),
    vp9: useVp9ForSendingVideo && chrome >= 111,
  };
}
