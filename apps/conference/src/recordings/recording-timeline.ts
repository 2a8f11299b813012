import type { RecordingTranscriptItem } from '@mind/contracts';

/** A recorded stretch in wall-clock time, and where it begins in the recording (pauses removed). */
export interface RecordedStretch {
  startedAt: number;
  endedAt: number;
  offsetMs: number;
}

export interface SaidUtterance {
  participantId: string;
  startedAt: number;
  text: string;
}

/**
 * The recording's stretches from its segments in order (each ended at `endedAt` and lasted
 * `durationMs`; unknown timing counts as nothing), then the one being recorded since `recordingSince`.
 */
export function recordedStretches(
  segments: { endedAt: number | null; durationMs: number | null }[],
  recordingSince: number | null,
): RecordedStretch[] {
  const stretches: RecordedStretch[] = [];
  let offsetMs = 0;
  for (const { endedAt, durationMs } of segments) {
    if (endedAt === null || durationMs === null) continue;
    stretches.push({ startedAt: endedAt - durationMs, endedAt, offsetMs });
    offsetMs += durationMs;
  }
  if (recordingSince !== null) stretches.push({ startedAt: recordingSince, endedAt: Infinity, offsetMs });
  return stretches;
}

/** Utterances that began while recording, on the recording's timeline, in order. */
export function placeOnRecording(
  utterances: SaidUtterance[],
  stretches: RecordedStretch[],
): RecordingTranscriptItem[] {
  const items: RecordingTranscriptItem[] = [];
  for (const utterance of utterances) {
    const stretch = stretches.find(
      (s) => utterance.startedAt >= s.startedAt && utterance.startedAt < s.endedAt,
    );
    if (!stretch) continue;
    items.push({
      timestamp: stretch.offsetMs + utterance.startedAt - stretch.startedAt,
      participantId: utterance.participantId,
      text: utterance.text,
    });
  }
  return items.sort((a, b) => a.timestamp - b.timestamp);
}
