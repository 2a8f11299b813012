import './telemetry';
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { EVENT } from '@mind/contracts';
import { platformChecks, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { ApplicationSockets } from './application-sockets';

@Module({})
class NotifierModule {}

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('notifier', config.logLevel);
  const nc = await connectNats(config.nats, 'notifier', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);
  await bus.ensureEventStream();

  const app = await NestFactory.create<NestFastifyApplication>(NotifierModule, new FastifyAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  registerHealthRoutes(app.getHttpAdapter().getInstance(), platformChecks(config, nc));
  const sockets = new ApplicationSockets(bus, config.notifier.maxBufferBytes, logger);
  sockets.attach(app.getHttpServer());
  const events = await bus.follow(EVENT.conference, (event) => sockets.deliver(event));

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
