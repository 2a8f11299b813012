import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * How far the recorded mix runs behind what participants send (decoders, the mixing thread's clock,
 * encoder, the recorder's ffmpeg): what is written last was said this long before. Measured from
 * speech in the MP4 against the transcribers' wall-clock times: 0.07-0.13 s here (three utterances,
 * once the mix's and the recorder's audio stopped bursting a second of start-up backlog).
 */
const MIXED_MEDIA_LATENCY_MS = 100;

/**
 * When a segment's media was happening: it ends when the file was last written (also for a segment a
 * crash cut short), less the mix's latency, and lasts what its streams last. What transcripts are placed on the recording's
 * timeline with; null when the file cannot be read as media.
 */
export async function segmentTiming(file: string): Promise<{ endedAt: number; durationMs: number } | null> {
  const [{ mtimeMs }, probed] = await Promise.all([
    stat(file),
    run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).catch(
      () => null,
    ),
  ]);
  const seconds = Number(probed?.stdout.trim());
  return Number.isFinite(seconds) && seconds > 0
    ? { endedAt: Math.round(mtimeMs) - MIXED_MEDIA_LATENCY_MS, durationMs: Math.round(seconds * 1000) }
    : null;
}
