import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { eventStreamName, subjects, type ConferenceEvent } from '@mind/contracts';
import { platformChecks, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { connectNats, ensureEventStream, followStream, RpcClient } from '@mind/messaging';
import { ApplicationSockets } from './application-sockets';

@Module({})
class NotifierModule {}

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('notifier', config.logLevel);
  const nc = await connectNats(config.nats, 'notifier', logger);
  const s = subjects(config.nats.prefix);
  const stream = eventStreamName(config.nats.prefix);
  await ensureEventStream(nc, stream, s.eventsWildcard);

  const app = await NestFactory.create<NestFastifyApplication>(NotifierModule, new FastifyAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  registerHealthRoutes(app.getHttpAdapter().getInstance(), platformChecks(config, nc));
  const sockets = new ApplicationSockets(
    nc,
    new RpcClient(nc, config.rpcTimeoutMs),
    config.nats.prefix,
    config.notifier.maxBufferBytes,
    logger,
  );
  sockets.attach(app.getHttpServer());
  const events = await followStream<ConferenceEvent>(nc, s.eventsWildcard, (event) => sockets.deliver(event));

  await app.listen(config.notifier.port, config.notifier.host);
  logger.info({ port: config.notifier.port }, 'notifier ready');

  return async () => {
    sockets.close();
    await events.close().catch(() => undefined);
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('notifier', bootstrap);
