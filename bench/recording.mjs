// Recording finalisation time: how long the recording job (apps/recording, from dist/) takes to turn
// the segments of a recording into the MP4, the JPEG thumbnail and the WebP preview, for recordings of
// 60 s (one segment, and the same minute in three paused-and-resumed segments). The segments are what
// the media node writes: H.264 (ultrafast, 2.5 Mbit/s, 1280x720 at 25 fps) with AAC, in MPEG-TS.
// Time from `recording/stop` to the MP4 being served is this plus the queue hop (milliseconds).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './lib/platform.mjs';

const run = promisify(execFile);
const { finaliseRecording } = await import(join(ROOT, 'dist/apps/recording/src/finalise-recording.js'));
const { LocalStorage } = await import(join(ROOT, 'dist/libs/storage/src/index.js'));

const SECONDS = Number(process.env.BENCH_DURATION ?? 60);
const work = mkdtempSync(join(os.tmpdir(), 'mind-bench-recording-'));
const storage = new LocalStorage(join(work, 'storage'));

async function segment(name, seconds, offset) {
  const file = join(work, name);
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=${440 + offset}:sample_rate=48000:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '12', '-b:v', '2500k'],
    ...['-c:a', 'aac', '-b:a', '128k', '-f', 'mpegts', file],
  ]);
  await storage.putFile(`recordings/bench/segments/${name}`, file);
  return `recordings/bench/segments/${name}`;
}

console.log(
  `cores: ${os.cpus().length}, load average: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`making ${SECONDS} s of test segments...`);
const cases = [
  ['1 segment', [await segment('whole.ts', SECONDS, 0)]],
  [
    '3 segments',
    [
      await segment('part-1.ts', SECONDS / 3, 1),
      await segment('part-2.ts', SECONDS / 3, 2),
      await segment('part-3.ts', SECONDS / 3, 3),
    ],
  ],
];
console.log('\n| recording | finalise (MP4 + JPEG + WebP) | duration | x real time |');
console.log('| --- | --- | --- | --- |');
for (const [label, segmentKeys] of cases) {
  const started = process.hrtime.bigint();
  const made = await finaliseRecording({ conferenceId: `bench-${segmentKeys.length}`, segmentKeys }, storage);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `| ${label} | ${seconds.toFixed(2)} s | ${made.durationSeconds.toFixed(1)} s | ${(made.durationSeconds / seconds).toFixed(0)} |`,
  );
}
rmSync(work, { recursive: true, force: true });
