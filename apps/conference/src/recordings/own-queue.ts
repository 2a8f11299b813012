import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '@mind/config';
import type { QueueDefinition } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { currentTraceCarrier, inSpan, traceFromCarrier } from '@mind/telemetry';

/**
 * A BullMQ queue the conference service feeds and works itself: work due later (a delay) or that must
 * survive a restart of the instance that queued it. Whichever instance is up when a job is due runs
 * it; a job whose instance dies mid-way runs again once its lock lapses. Jobs carry the trace context
 * of the work that queued them.
 */
export class OwnQueue<Job extends { conferenceId: string; trace?: Record<string, string> }> {
  private readonly queueConnection: Redis;
  private readonly workerConnection: Redis;
  private readonly queue: Queue<Job>;
  private worker?: Worker<Job>;

  constructor(
    private readonly definition: QueueDefinition<Job>,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    const options = { maxRetriesPerRequest: null, lazyConnect: true };
    this.queueConnection = new Redis(config.redisUrl, options);
    this.workerConnection = new Redis(config.redisUrl, options);
    this.queue = new Queue(definition.name, { connection: this.queueConnection, prefix: this.prefix() });
  }

  /** Queues a job, due after `delayMs`; a `jobId` already queued is not queued again. */
  async add(data: Omit<Job, 'trace'>, options: { delayMs: number; jobId?: string }): Promise<void> {
    await this.queue.add('job' as never, { ...data, trace: currentTraceCarrier() } as never, {
      delay: options.delayMs,
      jobId: options.jobId,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: true,
      removeOnFail: 100,
    });
  }

  /** Runs `handle` for each job that is due, on this instance (one of the instances takes each). */
  work(handle: (job: Job) => Promise<void>): void {
    this.worker = new Worker<Job>(
      this.definition.name,
      (job) => {
        const span = { role: 'consumer', parent: traceFromCarrier(job.data.trace) } as const;
        return inSpan(`${this.definition.name} job`, span, () => handle(job.data));
      },
      { connection: this.workerConnection, prefix: this.prefix() },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        { err: error, conferenceId: job?.data.conferenceId, queue: this.definition.name },
        'job failed',
      ),
    );
    this.worker.on('error', (error) =>
      this.logger.error({ err: error, queue: this.definition.name }, 'queue worker error'),
    );
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    this.queueConnection.disconnect();
    this.workerConnection.disconnect();
  }

  private prefix() {
    return `${this.config.nats.prefix}:bull`;
  }
}
