// Derives chromium-ssrc-sim.sdp from chromium-full-camera-mic.sdp: the same offer, with the camera
// line (mid 2) rewritten the way Safari / legacy (plan-B era) clients send simulcast. This is a HAND
// TRANSFORM, not a browser capture:
// - the `a=rid:` and `a=simulcast:` lines of mid 2 are removed;
// - 3 primary SSRCs and 3 RTX SSRCs are listed, as Chromium/Safari write them: one
//   `a=ssrc-group:FID <primary> <rtx>` per layer, then `a=ssrc-group:SIM <s1> <s2> <s3>` (low to
//   high), then `a=ssrc:<n> cname:<cname>` and `a=ssrc:<n> msid:me#primary <trackId>` for each SSRC;
// - the cname is the one of the microphone line (mid 1), the track id the one of the camera msid.
// Everything else (ICE, fingerprint, codecs, extmaps incl. rid / repaired-rid, other lines) is kept
// byte for byte, CRLF line endings included. SSRCs are fixed numbers so the output is reproducible.
//
// Usage: node tools/capture-offers/ssrc-sim.mjs [fixturesDir]

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIM_SSRCS = [
  { ssrc: 1111111101, rtx: 1111111102 },
  { ssrc: 2222222201, rtx: 2222222202 },
  { ssrc: 3333333301, rtx: 3333333302 },
];

export function toSsrcSimulcast(sdp, mid = '2') {
  const lines = sdp.split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const sections = [];
  let current = { mid: null, lines: [] };
  sections.push(current);
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push((current = { mid: null, lines: [] }));
    if (line.startsWith('a=mid:')) current.mid = line.slice(6);
    current.lines.push(line);
  }
  const cnameLine = lines.find((l) => /^a=ssrc:\d+ cname:/.test(l));
  if (!cnameLine) throw new Error('no a=ssrc cname in the offer');
  const cname = cnameLine.replace(/^a=ssrc:\d+ cname:/, '');
  const camera = sections.find((s) => s.mid === mid);
  if (!camera) throw new Error(`no mid ${mid}`);
  const msid = camera.lines.find((l) => l.startsWith('a=msid:'));
  if (!msid) throw new Error(`mid ${mid} has no a=msid`);
  const [label, trackId] = msid.slice('a=msid:'.length).split(' ');
  if (!camera.lines.some((l) => l.startsWith('a=simulcast:')))
    throw new Error(`mid ${mid} has no rid simulcast`);

  const kept = camera.lines.filter(
    (l) => !l.startsWith('a=rid:') && !l.startsWith('a=simulcast:') && !l.startsWith('a=ssrc'),
  );
  const ssrcLines = [
    ...SIM_SSRCS.map(({ ssrc, rtx }) => `a=ssrc-group:FID ${ssrc} ${rtx}`),
    `a=ssrc-group:SIM ${SIM_SSRCS.map((s) => s.ssrc).join(' ')}`,
    ...SIM_SSRCS.flatMap(({ ssrc, rtx }) =>
      [ssrc, rtx].flatMap((n) => [`a=ssrc:${n} cname:${cname}`, `a=ssrc:${n} msid:${label} ${trackId}`]),
    ),
  ];
  // Chromium writes a=ssrc* lines after the rtpmap/fmtp/rtcp-fb block, at the end of the section
  // (before a=rid / a=simulcast, which are gone here).
  camera.lines = [...kept, ...ssrcLines];
  return sections.flatMap((s) => s.lines).join('\r\n') + '\r\n';
}

export function writeSsrcSim(fixturesDir) {
  const source = readFileSync(join(fixturesDir, 'chromium-full-camera-mic.sdp'), 'utf8');
  const target = join(fixturesDir, 'chromium-ssrc-sim.sdp');
  writeFileSync(target, toSsrcSimulcast(source));
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(process.argv[2] ?? join(here, '../../libs/sdp/fixtures'));
  console.log(`wrote ${writeSsrcSim(dir)}`);
}
