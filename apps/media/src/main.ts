import './telemetry';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { platformChecks, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { runService } from '@mind/runtime';
import { observeLoad, observeMediasoup } from './media-metrics';
import { MediaNode } from './media-node';
import { WorkerPool } from './worker-pool';

@Module({})
class MediaModule {}

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('media', config.logLevel).child({ nodeId: config.media.nodeId });
  const nc = await connectNats(config.nats, `media-${config.media.nodeId}`, logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);
  await bus.ensureEventStream();

  observeMediasoup();
  const pool = new WorkerPool(
    { size: config.media.workers, rtcMinPort: config.media.rtcMinPort, rtcMaxPort: config.media.rtcMaxPort },
    logger,
  );
  await pool.start();
  const node = new MediaNode(bus, pool, config, logger);
  await node.start();
  observeLoad(() => node.load);

  const app = await NestFactory.create<NestFastifyApplication>(MediaModule, new FastifyAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  registerHealthRoutes(app.getHttpAdapter().getInstance(), {
    ...platformChecks(config, nc),
    workers: async () => {
      if (pool.size === 0) throw new Error('no mediasoup worker');
    },
  });
  await app.listen(config.media.healthPort, config.http.host);
  logger.info({ workers: pool.size, port: config.media.healthPort }, 'media node ready');

  return async () => {
    await node.close();
    pool.close();
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('media', bootstrap);
