import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '@mind/config';
import { QUEUE } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { CONFIG, LOGGER } from '@mind/runtime';
import { inSpan, traceFromCarrier } from '@mind/telemetry';
import { RecordingJobs, type RecordingJob } from './recording-jobs';

/**
 * Takes recording jobs from the BullMQ queue. A job whose worker dies is taken again by another (or
 * the restarted) worker once its lock lapses, and jobs that fail are retried with back-off.
 */
@Injectable()
export class RecordingWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly connection: Redis;
  private worker?: Worker<RecordingJob>;

  constructor(
    private readonly jobs: RecordingJobs,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  }

  onApplicationBootstrap() {
    const { logger } = this;
    this.worker = new Worker<RecordingJob>(
      QUEUE.recording.name,
      (job) => {
        // Each job continues the trace of the work that queued it.
        const span = { role: 'consumer', parent: traceFromCarrier(job.data.trace) } as const;
        return inSpan('recording finalise', span, () => this.jobs.handle(job));
      },
      {
        connection: this.connection,
        prefix: `${this.config.nats.prefix}:bull`,
        concurrency: this.config.recording.concurrency,
        // A dead worker's job is taken over within seconds, not the default half minute.
        lockDuration: 10_000,
        stalledInterval: 5_000,
      },
    );
    this.worker.on('failed', (job, error) =>
      logger.warn({ err: error, job: job?.id, attempts: job?.attemptsMade }, 'recording job failed'),
    );
    this.worker.on('error', (error) => logger.error({ err: error }, 'recording worker error'));
  }

  async onApplicationShutdown() {
    await this.worker?.close();
    this.connection.disconnect();
  }
}
