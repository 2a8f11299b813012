import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Streams and duration of an MP4, by ffprobe. */
export async function probe(file: string) {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name,codec_type,width,height:format=duration',
    '-of',
    'json',
    file,
  ]);
  const facts = JSON.parse(stdout);
  return {
    duration: Number(facts.format.duration),
    video: facts.streams.find((s: any) => s.codec_type === 'video'),
    audio: facts.streams.find((s: any) => s.codec_type === 'audio'),
  };
}

/**
 * Audio a file's timestamps give no room to (ms): the sum, over its AAC packets (1,024 samples each),
 * of what each lasts beyond the time to the next one. Audio that came in a burst and was stamped as
 * it came is played that much late, behind its video; on a timeline of its own this is a few ms.
 */
export async function squashedAudioMs(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate:packet=pts_time'],
    ...['-of', 'json', file],
  ]);
  const facts = JSON.parse(stdout);
  const lasts = 1024 / Number(facts.streams[0].sample_rate);
  const times: number[] = facts.packets.map((packet: { pts_time: string }) => Number(packet.pts_time));
  let squashed = 0;
  for (let i = 1; i < times.length; i++) squashed += Math.max(0, lasts - (times[i] - times[i - 1]));
  return Math.round(squashed * 1000);
}

/** The average RGB of a 16x16 square around (x, y) of the frame `at` seconds into a video file. */
export async function frameColour(file: string, at: number, [x, y]: [number, number]): Promise<number[]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(at),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      `crop=16:16:${x - 8}:${y - 8}`,
    ].concat(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']),
    { encoding: 'buffer' },
  );
  const sum = [0, 0, 0];
  for (let i = 0; i < stdout.length; i += 3) for (let c = 0; c < 3; c++) sum[c] += stdout[i + c];
  return sum.map((value) => Math.round(value / (stdout.length / 3)));
}

/**
 * The durations (s) of a conference's recording segments in the platform's storage, in the order
 * they were recorded (a segment's name is `<conference>-<epoch ms>-<random>.ts`).
 */
export async function storedSegments(storageDir: string, conferenceId: string): Promise<number[]> {
  const dir = join(storageDir, 'recordings', conferenceId, 'segments');
  const names = await readdir(dir).catch(() => [] as string[]);
  const recordedAt = (name: string) => Number(name.slice(conferenceId.length + 1).split('-')[0]);
  names.sort((a, b) => recordedAt(a) - recordedAt(b));
  return Promise.all(names.map(async (name) => (await probe(join(dir, name))).duration));
}
