import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { natsCheck, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { runService } from '@mind/runtime';
import { SipModule } from './sip.module';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('sip', config.logLevel);
  const nc = await connectNats(config.nats, 'sip', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);

  const app = await NestFactory.create<NestFastifyApplication>(
    SipModule.register({ config, logger, bus }),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger) },
  );
  registerHealthRoutes(app.getHttpAdapter().getInstance(), { nats: natsCheck(nc) });
  await app.listen(config.sip.healthPort, config.http.host);
  logger.info({ port: config.sip.healthPort }, 'SIP gateway ready');

  return async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('sip', bootstrap);
