import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { platformChecks } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { configurePublicApi, publicApiAdapter } from '@mind/public-api';
import { GatewayModule } from './gateway.module';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('gateway', config.logLevel);
  const nc = await connectNats(config.nats, 'gateway', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register({ config, logger, bus }),
    publicApiAdapter(config),
    { logger: new PinoNestLogger(logger), bodyParser: false },
  );
  await configurePublicApi(app, platformChecks(config, nc), logger);
  await app.listen(config.http.port, config.http.host);
  logger.info({ url: `http://${config.http.host}:${config.http.port}` }, 'gateway ready');

  return async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('gateway', bootstrap);
