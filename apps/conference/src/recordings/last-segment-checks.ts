import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '@mind/config';
import { QUEUE, type LastSegmentCheckJob } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { CONFIG, LOGGER } from '@mind/runtime';
import { currentTraceCarrier, inSpan, traceFromCarrier } from '@mind/telemetry';

/** How long after a stop the node that was recording has to report the segment it was writing. */
const LAST_SEGMENT_GRACE_MS = 15_000;

/**
 * The grace period after a recording stops, as a delayed job in Redis rather than a timer, so that a
 * restart of the conference service loses no check: whichever instance is up when it is due runs it.
 */
@Injectable()
export class LastSegmentChecks implements OnApplicationShutdown {
  private readonly queueConnection: Redis;
  private readonly workerConnection: Redis;
  private readonly queue: Queue<LastSegmentCheckJob>;
  private worker?: Worker<LastSegmentCheckJob>;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const options = { maxRetriesPerRequest: null, lazyConnect: true };
    this.queueConnection = new Redis(config.redisUrl, options);
    this.workerConnection = new Redis(config.redisUrl, options);
    this.queue = new Queue(QUEUE.lastSegmentCheck.name, {
      connection: this.queueConnection,
      prefix: this.prefix(),
    });
  }

  /** Checks the conference's recording when the grace period is over. */
  async schedule(conferenceId: string): Promise<void> {
    await this.queue.add(
      'check',
      { conferenceId, trace: currentTraceCarrier() },
      {
        delay: LAST_SEGMENT_GRACE_MS,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
  }

  /** Runs `check` for each check that is due, on this instance (one of the instances takes each). */
  work(check: (conferenceId: string) => Promise<void>): void {
    this.worker = new Worker<LastSegmentCheckJob>(
      QUEUE.lastSegmentCheck.name,
      (job) => {
        const span = { role: 'consumer', parent: traceFromCarrier(job.data.trace) } as const;
        return inSpan('recording last segment check', span, () => check(job.data.conferenceId));
      },
      { connection: this.workerConnection, prefix: this.prefix() },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        { err: error, conferenceId: job?.data.conferenceId },
        'recording not queued after stop',
      ),
    );
    this.worker.on('error', (error) =>
      this.logger.error({ err: error }, 'last segment checks: worker error'),
    );
  }

  async onApplicationShutdown() {
    await this.worker?.close();
    await this.queue.close();
    this.queueConnection.disconnect();
    this.workerConnection.disconnect();
  }

  private prefix() {
    return `${this.config.nats.prefix}:bull`;
  }
}
