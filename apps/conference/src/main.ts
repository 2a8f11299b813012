import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { platformChecks, registerHealthRoutes, startHealthServer } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { configurePublicApi, publicApiAdapter } from '@mind/public-api';
import { AppModule } from './app.module';
import { ensureDevelopmentApplication } from './applications/application-registry';
import { createDataSource, ensureDatabase } from './database/data-source';
import { migrate } from './database/migrate';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('conference', config.logLevel);
  await ensureDatabase(config.databaseUrl);
  const dataSource = createDataSource(config.databaseUrl);
  await dataSource.initialize();
  const applied = await migrate(dataSource);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  if (config.env === 'development') {
    const { id } = await ensureDevelopmentApplication(dataSource);
    logger.info({ applicationId: id }, 'shared development application ready');
  }
  const nc = await connectNats(config.nats, 'conference', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);
  await bus.ensureEventStream();
  const checks = platformChecks(config, nc);
  const { host } = config.http;
  const servesApi = config.conferenceApiPort !== 0;

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, logger, dataSource, bus }),
    servesApi ? publicApiAdapter(config) : new FastifyAdapter(),
    { logger: new PinoNestLogger(logger), ...(servesApi ? { bodyParser: false } : {}) },
  );
  // Serving the API, the application's server is public: health and metrics move to a server of their own.
  let health: { close(): Promise<unknown> } | null = null;
  if (servesApi) {
    await configurePublicApi(app, checks, logger);
    health = await startHealthServer(config.conferenceHealthPort, host, checks);
    await app.listen(config.conferenceApiPort, host);
  } else {
    registerHealthRoutes(app.getHttpAdapter().getInstance(), checks);
    await app.listen(config.conferenceHealthPort, host);
  }
  logger.info(
    { port: config.conferenceHealthPort, ...(servesApi ? { apiPort: config.conferenceApiPort } : {}) },
    'conference service ready',
  );

  return async () => {
    await app.close();
    await health?.close();
    await nc.drain().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
  };
}

runService('conference', bootstrap);
