/** BullMQ queue of recording jobs (its Redis keys carry the deployment's prefix). */
export const RECORDING_QUEUE = 'recording';

/** Make the recording of everything recorded so far: segments (in order) to MP4, JPEG and WebP. */
export interface FinaliseRecordingJob {
  conferenceId: string;
  segmentKeys: string[];
  traceId?: string;
}

/** Media node → conference service: a recorded segment is in storage. */
export interface RecordingSegmentReport {
  conferenceId: string;
  storageKey: string;
}

/** Recording worker → conference service: the recording of the first `segments` segments is stored. */
export interface RecordingFinalisedReport {
  conferenceId: string;
  segments: number;
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
