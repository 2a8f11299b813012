import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { natsCheck, redisCheck, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { runService } from '@mind/runtime';
import { RecordingModule } from './recording.module';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('recording', config.logLevel);
  const nc = await connectNats(config.nats, 'recording', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);

  const app = await NestFactory.create<NestFastifyApplication>(
    RecordingModule.register({ config, logger, bus }),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger) },
  );
  registerHealthRoutes(app.getHttpAdapter().getInstance(), {
    nats: natsCheck(nc),
    redis: redisCheck(config.redisUrl),
  });
  await app.listen(config.recording.healthPort, config.http.host);
  logger.info({ port: config.recording.healthPort }, 'recording worker ready');

  return async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('recording', bootstrap);
