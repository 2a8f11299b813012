import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { platformChecks, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { runService } from '@mind/runtime';
import { MediaModule } from './media.module';
import { WorkerPool } from './worker-pool';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('media', config.logLevel).child({ nodeId: config.media.nodeId });
  const nc = await connectNats(config.nats, `media-${config.media.nodeId}`, logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);
  await bus.ensureEventStream();

  const app = await NestFactory.create<NestFastifyApplication>(
    MediaModule.register({ config, logger, bus }),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger) },
  );
  const pool = app.get(WorkerPool);
  registerHealthRoutes(app.getHttpAdapter().getInstance(), {
    ...platformChecks(config, nc),
    workers: async () => {
      if (pool.size === 0) throw new Error('no mediasoup worker');
    },
  });
  await app.listen(config.media.healthPort, config.http.host);
  logger.info({ workers: pool.size, port: config.media.healthPort }, 'media node ready');

  return async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('media', bootstrap);
