import './telemetry';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '@mind/config';
import { QUEUE, RPC, type JobOf, type RecordingFinalisedReport } from '@mind/contracts';
import { natsCheck, redisCheck, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { activeTraceId, inSpan, traceFromCarrier } from '@mind/telemetry';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { runService } from '@mind/runtime';
import { createStorage } from '@mind/storage';
import { finaliseRecording } from './finalise-recording';

@Module({})
class RecordingModule {}

/**
 * The recording worker: takes recording jobs from the BullMQ queue. A job whose worker dies is taken
 * again by another (or the restarted) worker once its lock lapses, and jobs that fail are retried with
 * back-off; finalising is idempotent, so a repeated run stores the same recording.
 */
async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('recording', config.logLevel);
  const nc = await connectNats(config.nats, 'recording', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);
  const storage = createStorage(config.storage);
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });

  const worker = new Worker<JobOf<typeof QUEUE.recording>>(
    QUEUE.recording.name,
    (job) => {
      const span = { role: 'consumer', parent: traceFromCarrier(job.data.trace) } as const;
      return inSpan('recording finalise', span, () => finalise(job));
    },
    {
      connection,
      prefix: `${config.nats.prefix}:bull`,
      concurrency: config.recording.concurrency,
      // A dead worker's job is taken over within seconds, not the default half minute.
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );

  async function finalise(job: Job<JobOf<typeof QUEUE.recording>>) {
    const context = { traceId: activeTraceId(), conferenceId: job.data.conferenceId, job: job.id };
    logger.info({ ...context, attempt: job.attemptsMade + 1 }, 'finalising recording');
    const started = Date.now();
    const recording = await finaliseRecording(job.data, storage);
    const report: RecordingFinalisedReport = {
      conferenceId: job.data.conferenceId,
      segments: recording.segments,
    };
    const told = await bus.call(RPC.recordingFinalised, report);
    // Not taken: the job fails and is retried, so the conference learns of the recording later.
    if (told.status !== 200) throw new Error('the conference service failed to take the recording');
    logger.info({ ...context, ...recording, ms: Date.now() - started }, 'recording finalised');
    return recording;
  }
  worker.on('failed', (job, error) =>
    logger.warn({ err: error, job: job?.id, attempts: job?.attemptsMade }, 'recording job failed'),
  );
  worker.on('error', (error) => logger.error({ err: error }, 'recording worker error'));

  const app = await NestFactory.create<NestFastifyApplication>(RecordingModule, new FastifyAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  registerHealthRoutes(app.getHttpAdapter().getInstance(), {
    nats: natsCheck(nc),
    redis: redisCheck(config.redisUrl),
  });
  await app.listen(config.recording.healthPort, config.http.host);
  logger.info({ port: config.recording.healthPort }, 'recording worker ready');

  return async () => {
    await worker.close();
    connection.disconnect();
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('recording', bootstrap);
