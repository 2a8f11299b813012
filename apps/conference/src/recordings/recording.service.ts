import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import {
  RPC,
  errorReply,
  QUEUE,
  resourceChanged,
  recordingKeys,
  type ApiReply,
  type FinaliseRecordingJob,
  type RecordingFinalisedReport,
  type RecordingSegmentReport,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { currentTraceCarrier } from '@mind/telemetry';
import { ok, scopeOf, type CallContext } from '../api/context';
import { ConferenceEntity, RecordingSegmentEntity } from '../database/entities';
import { ConferenceTransactions } from '../events/conference-transactions';
import { toConference } from '../representations';
import { RpcEndpoints } from '../messaging/rpc-endpoints';
import { CONFIG, LOGGER } from '@mind/runtime';
import { LastSegmentChecks } from './last-segment-checks';
import { preferredRecordingType } from './recording-type';
import { RecordingTranscripts } from './recording-transcripts';

/**
 * Recording state (routes 5-8), owned here and only here: whether the conference records, which
 * segments its recording consists of (in the order they were stored) and how many of them the served
 * files cover. Media nodes report segments they stored, recording workers report files they made.
 * Start and stop flip `recording.started` (the node hosting the conference follows it and records
 * segments); each segment stored after a stop, or after the end of the conference, queues a job that
 * makes one recording of every segment so far, and each recording made has its transcript kept
 * (`RecordingTranscripts`).
 */
@Injectable()
export class RecordingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly queue: Queue<FinaliseRecordingJob>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: ConferenceTransactions,
    private readonly rpc: RpcEndpoints,
    private readonly lastSegmentChecks: LastSegmentChecks,
    private readonly transcripts: RecordingTranscripts,
    @Inject(CONFIG) config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.queue = new Queue(QUEUE.recording.name, {
      connection: this.redis,
      prefix: `${config.nats.prefix}:bull`,
    });
  }

  onApplicationBootstrap() {
    this.rpc.serve(RPC.segmentStored, (report) => this.segmentStored(report));
    this.rpc.serve(RPC.recordingFinalised, (report) => this.finalised(report));
    this.lastSegmentChecks.work((conferenceId) => this.finaliseUnreported(conferenceId));
  }

  async onApplicationShutdown() {
    await this.queue.close();
    this.redis.disconnect();
  }

  /** Jobs of the recording queue by state. */
  queueCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  }

  start(ctx: CallContext): Promise<ApiReply> {
    return this.setStarted(ctx, true);
  }

  stop(ctx: CallContext): Promise<ApiReply> {
    return this.setStarted(ctx, false);
  }

  async get(ctx: CallContext): Promise<ApiReply> {
    if (ctx.conference.recordingSegmentsReady === 0) return this.nothingYet();
    const keys = recordingKeys(ctx.conference.id).made(ctx.conference.recordingSegmentsReady);
    const contentType = preferredRecordingType(ctx.command.accept);
    return { status: 200, file: { key: contentType === 'image/jpeg' ? keys.jpeg : keys.mp4, contentType } };
  }

  async preview(ctx: CallContext): Promise<ApiReply> {
    if (ctx.conference.recordingSegmentsReady === 0) return this.nothingYet();
    const keys = recordingKeys(ctx.conference.id).made(ctx.conference.recordingSegmentsReady);
    return { status: 200, file: { key: keys.webp, contentType: 'image/webp' } };
  }

  private nothingYet(): ApiReply {
    return errorReply(404, 'nothing has been recorded in this conference yet');
  }

  private async setStarted(ctx: CallContext, started: boolean): Promise<ApiReply> {
    const done = await this.transactions.run(ctx.conference.id, async (m, emit) => {
      const conference = await m.findOneBy(ConferenceEntity, { id: ctx.conference.id });
      if (!conference) return false;
      if (conference.recordingStarted === started) return true;
      const startedAt = started ? String(Date.now()) : conference.recordingStartedAt;
      await m.update(
        ConferenceEntity,
        { id: conference.id },
        { recordingStarted: started, recordingStartedAt: startedAt },
      );
      await this.transcripts.forget(m, conference.id);
      conference.recordingStarted = started;
      emit(
        resourceChanged(scopeOf(ctx), {
          resource: 'conference',
          type: 'updated',
          conference: toConference(conference),
        }),
      );
      return true;
    });
    if (done && !started) await this.expectLastSegment(ctx.conference.id);
    return done ? ok() : errorReply(404, 'conference not found');
  }

  /**
   * After a stop or the end of the conference, the node that was recording reports the segment it
   * was writing, and that queues the recording. When no node does (it crashed or stopped, and nobody
   * came back to it), the segments there are still get their recording.
   */
  async expectLastSegment(conferenceId: string): Promise<void> {
    await this.lastSegmentChecks.schedule(conferenceId);
  }

  private async finaliseUnreported(conferenceId: string) {
    const conference = await this.dataSource.manager.findOneBy(ConferenceEntity, { id: conferenceId });
    if (!conference || (conference.recordingStarted && !conference.endedAt)) return;
    const segments = await this.dataSource.manager.countBy(RecordingSegmentEntity, { conferenceId });
    if (segments === 0 || conference.recordingSegmentsReady >= segments) return;
    if (await this.queue.getJob(finaliseJobId(conferenceId, segments))) return;
    await this.queueFinalisation(conferenceId);
  }

  /** A segment is stored: when recording is paused or over, make the recording of everything so far. */
  async segmentStored(report: RecordingSegmentReport): Promise<{ status: 200 | 404 }> {
    const conference = await this.dataSource.manager.findOneBy(ConferenceEntity, { id: report.conferenceId });
    if (!conference) return { status: 404 };
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(RecordingSegmentEntity)
      .values({
        conferenceId: report.conferenceId,
        storageKey: report.storageKey,
        endedAt: report.timing ? String(report.timing.endedAt) : null,
        durationMs: report.timing?.durationMs ?? null,
      })
      .orIgnore()
      .execute();
    if (conference.recordingStarted && !conference.endedAt) return { status: 200 };
    await this.queueFinalisation(report.conferenceId);
    return { status: 200 };
  }

  /** Queues the making of the recording of every segment so far. */
  private async queueFinalisation(conferenceId: string) {
    const segments = await this.dataSource.manager.find(RecordingSegmentEntity, {
      where: { conferenceId },
      order: { seq: 'ASC' },
    });
    // One job per set of segments: a repeated report does not queue the same work twice.
    await this.queue.add(
      'finalise',
      { conferenceId, segmentKeys: segments.map((s) => s.storageKey), trace: currentTraceCarrier() },
      {
        jobId: finaliseJobId(conferenceId, segments.length),
        attempts: 8,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: 100,
        removeOnFail: 100,
      },
    );
    this.logger.info({ conferenceId, segments: segments.length }, 'recording queued');
  }

  async finalised(report: RecordingFinalisedReport): Promise<{ status: 200 }> {
    await this.dataSource.query(
      `UPDATE conference SET recording_segments_ready = GREATEST(recording_segments_ready, $2) WHERE id = $1`,
      [report.conferenceId, report.segments],
    );
    await this.transcripts.recordingMade(report.conferenceId, report.segments);
    return { status: 200 };
  }
}

const finaliseJobId = (conferenceId: string, segments: number) => `${conferenceId}-${segments}`;
