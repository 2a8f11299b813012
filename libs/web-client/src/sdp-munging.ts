/**
 * The participant protocol names each m-line by its msid stream id ("label"): `me#primary`,
 * `<participantId>#secondary`, `conference`, or `-` on an unused line. Browsers pick msid stream ids
 * themselves, so the client rewrites them per mid before it sets and posts its offer, as Mind SDKs do.
 */
export interface LineHints {
  label: string;
  /** `b=TIAS`, bits per second, for a receiving video line. */
  maxBitrate?: number;
  /** `a=x-preferences:<maxFrameArea>@<maxFrameRate>` for a receiving video line (0 = unlimited). */
  preferences?: { maxFrameArea: number; maxFrameRate: number };
}

export function labelOffer(sdp: string, hintsByMid: Map<string, LineHints>): string {
  const sections = sdp.split(/\r\n(?=m=)/);
  return sections
    .map((section, index) => {
      if (index === 0) return section;
      const mid = /\r\na=mid:(\S+)/.exec(section)?.[1];
      const hints = mid === undefined ? undefined : hintsByMid.get(mid);
      if (!hints || section.startsWith('m=application')) return section;
      const lines = section
        .split('\r\n')
        .filter((l) => !l.startsWith('b=TIAS:') && !l.startsWith('a=x-preferences:'));
      let hasMsid = false;
      const relabelled = lines.map((line) => {
        const msid = /^a=msid:(\S+)(?: (\S+))?$/.exec(line);
        if (msid) {
          hasMsid = true;
          return `a=msid:${hints.label} ${msid[2] ?? msid[1]}`;
        }
        const ssrcMsid = /^(a=ssrc:\d+ msid:)(\S+)(?: (\S+))?$/.exec(line);
        return ssrcMsid ? `${ssrcMsid[1]}${hints.label} ${ssrcMsid[3] ?? ssrcMsid[2]}` : line;
      });
      const midIndex = relabelled.findIndex((l) => l.startsWith('a=mid:'));
      const extra: string[] = [];
      if (!hasMsid) extra.push(`a=msid:${hints.label} -`);
      if (hints.preferences)
        extra.push(`a=x-preferences:${hints.preferences.maxFrameArea}@${hints.preferences.maxFrameRate}`);
      relabelled.splice(midIndex + 1, 0, ...extra);
      if (hints.maxBitrate) {
        const cIndex = relabelled.findIndex((l) => l.startsWith('c='));
        relabelled.splice(cIndex + 1, 0, `b=TIAS:${hints.maxBitrate}`);
      }
      return relabelled.join('\r\n');
    })
    .join('\r\n');
}
