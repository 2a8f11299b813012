import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs ffmpeg to completion; a failure carries the end of what ffmpeg said. */
export async function ffmpeg(args: string[]): Promise<void> {
  try {
    await run('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'error', '-y', ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').slice(-800);
    throw new Error(`ffmpeg ${args.slice(0, 4).join(' ')}… failed: ${stderr || (error as Error).message}`);
  }
}

export interface MediaFacts {
  durationSeconds: number;
  width: number;
  height: number;
  frames: number;
}

/** Duration, picture size and frame count of a media file, from ffprobe. */
export async function probe(file: string): Promise<MediaFacts> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-of', 'json'],
    ...['-show_entries', 'stream=width,height,nb_frames:format=duration', file],
  ]);
  const facts = JSON.parse(stdout) as {
    streams?: { width?: number; height?: number; nb_frames?: string }[];
    format?: { duration?: string };
  };
  const stream = facts.streams?.[0];
  if (!stream?.width || !stream.height) throw new Error(`${file} has no video`);
  const durationSeconds = Number(facts.format?.duration ?? 0);
  return {
    durationSeconds,
    width: stream.width,
    height: stream.height,
    frames: Number(stream.nb_frames) || Math.round(durationSeconds * 25),
  };
}
