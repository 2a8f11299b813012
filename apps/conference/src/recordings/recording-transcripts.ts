import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Config } from '@mind/config';
import {
  errorReply,
  QUEUE,
  type ApiReply,
  type RecordingTranscriptItem,
  type RecordingTranscriptJob,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { CONFIG, LOGGER } from '@mind/runtime';
import type { CallContext } from '../api/context';
import { OwnQueue } from './own-queue';
import { placeOnRecording, recordedStretches, type SaidUtterance } from './recording-timeline';

/**
 * How long after a recording is made its voices' last utterances may still come in: each voice
 * recorded is stopped at the stop, and its transcriber reports the utterance it was in at once.
 */
const LAST_UTTERANCES_MS = 3000;

/**
 * The transcript of a recording (route 9): what was said while recording, on the recording's timeline
 * (ms from its start, pauses removed). While recording, or until the transcript of the stopped
 * recording is kept, it is made from the utterances so far (206); once the recording is made and its
 * last utterances are in, a `transcripts` job keeps it (200). A start or a stop drops what was kept.
 */
@Injectable()
export class RecordingTranscripts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly queue: OwnQueue<RecordingTranscriptJob>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CONFIG) config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.queue = new OwnQueue(QUEUE.transcripts, config, logger);
  }

  onApplicationBootstrap() {
    this.queue.work((job) => this.keep(job.conferenceId, job.segments));
  }

  onApplicationShutdown(): Promise<void> {
    return this.queue.close();
  }

  /** The recording of the first `segments` segments is made: its transcript is kept once complete. */
  recordingMade(conferenceId: string, segments: number): Promise<void> {
    return this.queue.add(
      { conferenceId, segments },
      { delayMs: LAST_UTTERANCES_MS, jobId: `transcript-${conferenceId}-${segments}` },
    );
  }

  /** Drops the kept transcript (in the transaction that starts or stops the recording). */
  async forget(m: EntityManager, conferenceId: string): Promise<void> {
    await m.query(`DELETE FROM recording_transcript WHERE conference_id = $1`, [conferenceId]);
  }

  async get(ctx: CallContext): Promise<ApiReply> {
    const conference = ctx.conference;
    if (conference.recordingStartedAt === null) {
      return errorReply(404, 'this conference has not been recorded');
    }
    const recording = conference.recordingStarted && !conference.endedAt;
    if (!recording) {
      const [kept] = (await this.dataSource.query(
        `SELECT items FROM recording_transcript WHERE conference_id = $1`,
        [conference.id],
      )) as { items: RecordingTranscriptItem[] }[];
      if (kept) return { status: 200, body: kept.items };
    }
    const since = recording ? Number(conference.recordingStartedAt) : null;
    return { status: 206, body: await this.transcript(conference.id, null, since) };
  }

  private async keep(conferenceId: string, segments: number) {
    await this.dataSource.transaction(async (m) => {
      const [current] = (await m.query(
        `SELECT recording_started AND ended_at IS NULL AS recording,
                (SELECT count(*) FROM recording_segment WHERE conference_id = $1)::int AS segments
           FROM conference WHERE id = $1`,
        [conferenceId],
      )) as { recording: boolean; segments: number }[];
      // A newer start, stop or segment makes this transcript a partial one.
      if (!current || current.recording || current.segments !== segments) return;
      const items = await this.transcript(conferenceId, segments, null, m);
      await m.query(
        `INSERT INTO recording_transcript (conference_id, segments, items) VALUES ($1, $2, $3)
           ON CONFLICT (conference_id) DO UPDATE SET segments = $2, items = $3`,
        [conferenceId, segments, JSON.stringify(items)],
      );
      this.logger.info({ conferenceId, segments, utterances: items.length }, 'recording transcript kept');
    });
  }

  /** What was said during the first `segments` segments (all: null) and since `recordingSince`. */
  private async transcript(
    conferenceId: string,
    segments: number | null,
    recordingSince: number | null,
    m: EntityManager = this.dataSource.manager,
  ): Promise<RecordingTranscriptItem[]> {
    const rows = (await m.query(
      `SELECT ended_at, duration_ms FROM recording_segment WHERE conference_id = $1 ORDER BY seq LIMIT $2`,
      [conferenceId, segments],
    )) as { ended_at: string | null; duration_ms: number | null }[];
    const stretches = recordedStretches(
      rows.map((row) => ({
        endedAt: row.ended_at === null ? null : Number(row.ended_at),
        durationMs: row.duration_ms,
      })),
      recordingSince,
    );
    if (stretches.length === 0) return [];
    const from = Math.min(...stretches.map((s) => s.startedAt));
    const to = Math.min(Number.MAX_SAFE_INTEGER, Math.max(...stretches.map((s) => s.endedAt)));
    const said = (await m.query(
      `SELECT participant_id, started_at, text FROM utterance
        WHERE conference_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at, id`,
      [conferenceId, from, to],
    )) as { participant_id: string; started_at: string; text: string }[];
    const utterances: SaidUtterance[] = said.map((row) => ({
      participantId: row.participant_id,
      startedAt: Number(row.started_at),
      text: row.text,
    }));
    return placeOnRecording(utterances, stretches);
  }
}
