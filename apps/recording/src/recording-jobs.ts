import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { RPC, type JobOf, type QUEUE } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';
import { LOGGER } from '@mind/runtime';
import { activeTraceId } from '@mind/telemetry';
import type { FinalisedRecording } from './finalise-recording';

export type RecordingJob = JobOf<typeof QUEUE.recording>;

/** Makes the files of a recording (ffmpeg and storage in production; anything in unit tests). */
export interface RecordingMaker {
  make(job: RecordingJob): Promise<FinalisedRecording>;
}
export const RECORDING_MAKER = Symbol('RECORDING_MAKER');

/**
 * One recording job: make the files, then tell the conference service. A report it does not take
 * fails the job, so BullMQ retries it (making the files again stores the same recording).
 */
@Injectable()
export class RecordingJobs {
  constructor(
    @Inject(RECORDING_MAKER) private readonly maker: RecordingMaker,
    private readonly bus: ProtocolBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(job: Pick<Job<RecordingJob>, 'id' | 'data' | 'attemptsMade'>): Promise<FinalisedRecording> {
    const context = { traceId: activeTraceId(), conferenceId: job.data.conferenceId, job: job.id };
    this.logger.info({ ...context, attempt: job.attemptsMade + 1 }, 'finalising recording');
    const started = Date.now();
    const recording = await this.maker.make(job.data);
    const told = await this.bus.call(RPC.recordingFinalised, {
      conferenceId: job.data.conferenceId,
      segments: recording.segments,
    });
    if (told.status !== 200) throw new Error('the conference service failed to take the recording');
    this.logger.info({ ...context, ...recording, ms: Date.now() - started }, 'recording finalised');
    return recording;
  }
}
