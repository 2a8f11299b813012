import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');

/**
 * Every benchmark runs, briefly, so that none rots between the times someone reads its figures (their
 * figures are not checked here: speed is measured in bench/, not asserted in tests).
 */
describe('benchmarks (smoke runs)', () => {
  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    [
      'api',
      { BENCH_DURATION: '1', BENCH_WARMUP: '1', BENCH_CONNECTIONS: '4' },
      // The POST has a Postgres baseline too (one durable INSERT).
      /(?=[\s\S]*platform direct POST \/\{a\}\/\{c\}\/messages \/ fastify \+ postgres)req\/s[\s\S]*goal rate[\s\S]*platform direct POST[^\n]*at 0\.06x bare fastify[\s\S]*CPU during each measured run[\s\S]*platform GET[^\n]*\bgateway \d+[\s\S]*platform direct GET[^\n]*\bconference \d+/,
    ],
    ['sfu', { BENCH_DURATION: '1', BENCH_FANOUTS: '2' }, /consumers +bare CPU%/],
    ['join', { BENCH_JOINS: '1' }, /VP9 SVC \(SDK VP9 option\)/],
    [
      'mixer',
      { BENCH_DURATION: '2', BENCH_WARMUP: '4', BENCH_PARTICIPANTS: '2', BENCH_SIZES: '640x360' },
      /load average at end/,
    ],
    ['recording', { BENCH_DURATION: '3' }, /x real time/],
    [
      'transcription',
      { BENCH_VOICES: 'slt', BENCH_SENTENCES: '2', BENCH_STREAMS: '1', BENCH_PHASES: '2' },
      /WER engine alone[\s\S]*errors in \d+ words per phase: engine alone \d+, \d+; pipeline \d+, \d+[\s\S]*end of speech -> utterance ready[\s\S]*end of speech -> application socket \(live\): p50 \d+ ms/,
    ],
    [
      'sip',
      { BENCH_CALLS: '2', BENCH_CONCURRENT: '2', BENCH_DURATION: '2' },
      /bare SIP stack: INVITE -> 200[\s\S]*the phone's RTP flowing[\s\S]*calls per core/,
    ],
  ])(
    'bench/%s.mjs',
    async (name, env, table) => {
      const { stdout } = await run(process.execPath, [join(ROOT, 'bench', `${name}.mjs`)], {
        env: { ...process.env, ...env },
        timeout: 240_000,
      });
      expect(stdout).toMatch(table);
    },
    300_000,
  );
});
