import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingKeys, type FinaliseRecordingJob } from '@mind/contracts';
import type { ObjectStorage } from '@mind/storage';
import { ffmpeg, probe } from './ffmpeg';

/** Frames in the animated preview, shown at this rate. */
const PREVIEW_FRAMES = 16;
const PREVIEW_FPS = 2;

export interface FinalisedRecording {
  segments: number;
  durationSeconds: number;
  width: number;
  height: number;
}

/**
 * Makes the recording of a conference from its segments, in order: one MP4 (H.264 as recorded, AAC,
 * `+faststart` so that playback starts before the download ends), a JPEG thumbnail and an animated
 * WebP preview whose frames are a quarter of the recording's width and height. The outputs depend on
 * the segments only, so running it again (a retried or repeated job) stores the same thing.
 */
export async function finaliseRecording(
  job: FinaliseRecordingJob,
  storage: ObjectStorage,
): Promise<FinalisedRecording> {
  const keys = recordingKeys(job.conferenceId).made(job.segmentKeys.length);
  const work = await mkdtemp(join(tmpdir(), 'mind-recording-'));
  try {
    const segmentFiles: string[] = [];
    for (const [index, key] of job.segmentKeys.entries()) {
      const file = join(work, `segment-${index}.ts`);
      await storage.getFile(key, file);
      segmentFiles.push(file);
    }
    const list = join(work, 'segments.txt');
    await writeFile(list, segmentFiles.map((file) => `file '${file}'\n`).join(''));
    const mp4 = join(work, 'recording.mp4');
    await ffmpeg([
      ...['-fflags', '+genpts+discardcorrupt', '-f', 'concat', '-safe', '0', '-i', list],
      ...['-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-bsf:a', 'aac_adtstoasc'],
      ...['-movflags', '+faststart', mp4],
    ]);
    const facts = await probe(mp4);

    // Most representative frame around a third of the way in (past any start-up black).
    const jpeg = join(work, 'thumbnail.jpg');
    await ffmpeg([
      ...['-ss', (facts.durationSeconds / 3).toFixed(2), '-i', mp4],
      ...['-vf', 'thumbnail=25', '-frames:v', '1', '-q:v', '3', jpeg],
    ]);

    // The most representative frame of each of PREVIEW_FRAMES stretches, a quarter of the size.
    const batch = Math.max(1, Math.floor(facts.frames / PREVIEW_FRAMES));
    const webp = join(work, 'preview.webp');
    const frames = `thumbnail=${batch},setpts=N/(${PREVIEW_FPS}*TB)`;
    await ffmpeg([
      ...['-i', mp4, '-an', '-vf', `${frames},scale=${facts.width / 4}:${facts.height / 4}`],
      ...['-r', String(PREVIEW_FPS), '-c:v', 'libwebp_anim', '-loop', '0', '-quality', '70', webp],
    ]);

    await storage.putFile(keys.mp4, mp4);
    await storage.putFile(keys.jpeg, jpeg);
    await storage.putFile(keys.webp, webp);
    return { segments: job.segmentKeys.length, ...facts };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
