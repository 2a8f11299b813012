import type { ConferenceId } from './ids';

/** Make the recording of everything recorded so far: segments (in order) to MP4, JPEG and WebP. */
export interface FinaliseRecordingJob {
  conferenceId: ConferenceId;
  segmentKeys: string[];
  /** W3C trace context (`traceparent`, `tracestate`) of the work that queued the job. */
  trace?: Record<string, string>;
}

/**
 * Conference service → itself, delayed: a recording was stopped (or its conference ended); if no
 * node has reported its last segment by now, make the recording of the segments there are.
 */
export interface LastSegmentCheckJob {
  conferenceId: ConferenceId;
  trace?: Record<string, string>;
}

/** Conference service → itself: the transcript of the recording of the first `segments` segments. */
export interface RecordingTranscriptJob {
  conferenceId: ConferenceId;
  segments: number;
  trace?: Record<string, string>;
}

/** One utterance of a recording's transcript (route 9): `timestamp` in ms of the recording's timeline. */
export interface RecordingTranscriptItem {
  timestamp: number;
  participantId: string;
  text: string;
}

/** Media node → conference service: a recorded segment is in storage. */
export interface RecordingSegmentReport {
  conferenceId: ConferenceId;
  storageKey: string;
  /**
   * When its media happened: it ended at `endedAt` (epoch ms) and lasted `durationMs`. Places what
   * was said (utterances, in wall-clock time) on the recording's timeline; null for an unreadable file.
   */
  timing: { endedAt: number; durationMs: number } | null;
}

/** 404: the conference is gone, and its recordings with it (the node drops the segment); 503: retry. */
export interface RecordingSegmentReply {
  status: 200 | 404 | 503;
}

/** Recording worker → conference service: the recording of the first `segments` segments is stored. */
export interface RecordingFinalisedReport {
  conferenceId: ConferenceId;
  segments: number;
}

/** 503: not taken, the job is retried. */
export interface RecordingFinalisedReply {
  status: 200 | 503;
}

/**
 * Where a conference's recording lives in object storage. Each recording made (after each stop) is
 * kept under the number of segments it covers, so a late run for fewer segments never overwrites a
 * newer recording.
 */
export const recordingKeys = (conferenceId: string) => {
  const base = `recordings/${conferenceId}`;
  return {
    prefix: `${base}/`,
    segment: (name: string) => `${base}/segments/${name}`,
    made: (segments: number) => ({
      mp4: `${base}/${segments}/recording.mp4`,
      jpeg: `${base}/${segments}/thumbnail.jpg`,
      webp: `${base}/${segments}/preview.webp`,
    }),
  };
};
