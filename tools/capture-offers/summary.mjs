// Sanity check of the fixtures: parses each with sdp-transform and prints, per m-line, mid, type,
// direction, msid, rids/simulcast, ssrc-groups and hints (b=TIAS, a=x-preferences). Also checks
// that every line ends with CRLF and that mids are 0..N in order.
//
//   node tools/capture-offers/summary.mjs [fixturesDir]

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { parse } = require('sdp-transform');

const dir = resolve(process.argv[2] ?? join(here, '../../libs/sdp/fixtures'));
let failed = false;

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.sdp'))
  .sort()) {
  const text = readFileSync(join(dir, file), 'utf8');
  const problems = [];
  if (!text.endsWith('\r\n')) problems.push('does not end with CRLF');
  if (/[^\r]\n/.test(text)) problems.push('has a bare LF');
  const sdp = parse(text);
  // sdp-transform's msid grammar ([\w-]+) cuts `me#primary` to `me`: read a=msid from the raw text.
  const sections = text.split(/\r\n(?=m=)/).slice(1);
  const ice = sdp.media[0]?.iceUfrag ?? sdp.iceUfrag;
  console.log(
    `${file}  (ice-ufrag ${ice}, BUNDLE ${sdp.groups?.map((g) => g.mids).join(' | ')}, ${sdp.media.length} m-lines)`,
  );
  sdp.media.forEach((m, i) => {
    if (String(m.mid) !== String(i)) problems.push(`m-line ${i} has mid ${m.mid}`);
    const parts = [`  mid ${m.mid}`, m.type.padEnd(11), (m.direction ?? '-').padEnd(8)];
    if (m.type === 'application') {
      parts.push(`sctp-port ${m.sctpPort} max-message-size ${m.maxMessageSize}`);
    } else {
      const msid = /^a=msid:(.*)$/m.exec(sections[i] ?? '');
      parts.push(`msid=${msid ? msid[1].trim() : '(none)'}`);
      if (m.rids) parts.push(`rids=${m.rids.map((r) => `${r.id}:${r.direction}`).join(',')}`);
      if (m.simulcast) parts.push(`simulcast=${m.simulcast.dir1} ${m.simulcast.list1}`);
      if (m.ssrcGroups)
        parts.push(`ssrc-groups=${m.ssrcGroups.map((g) => `${g.semantics}(${g.ssrcs})`).join(' ')}`);
      const ssrcs = [...new Set((m.ssrcs ?? []).map((s) => s.id))];
      if (ssrcs.length) parts.push(`ssrcs=${ssrcs.length}`);
      const tias = m.bandwidth?.find((b) => b.type === 'TIAS');
      if (tias) parts.push(`TIAS=${tias.limit}`);
      const prefs = (m.invalid ?? []).find((x) => x.value.startsWith('x-preferences:'));
      if (prefs) parts.push(prefs.value);
      parts.push(`codecs=${[...new Set(m.rtp.map((r) => r.codec))].join('/')}`);
    }
    console.log(parts.join('  '));
  });
  if (problems.length) {
    failed = true;
    console.log(`  PROBLEMS: ${problems.join('; ')}`);
  }
}
process.exit(failed ? 1 : 0);
