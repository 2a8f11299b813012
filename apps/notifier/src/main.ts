import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { platformChecks, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { ApplicationSockets } from './application-sockets';
import { NotifierModule } from './notifier.module';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('notifier', config.logLevel);
  const nc = await connectNats(config.nats, 'notifier', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);

  const app = await NestFactory.create<NestFastifyApplication>(
    NotifierModule.register({ config, logger, bus }),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger) },
  );
  registerHealthRoutes(app.getHttpAdapter().getInstance(), platformChecks(config, nc));
  app.get(ApplicationSockets).attach(app.getHttpServer());
  await app.listen(config.notifier.port, config.notifier.host);
  logger.info({ port: config.notifier.port }, 'notifier ready');

  return async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('notifier', bootstrap);
