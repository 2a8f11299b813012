import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { traceHttpRequests } from '@mind/telemetry';
import { DemoModule } from './demo.module';

/**
 * The demo web application `npm start` serves: a video room page on top of the web client, and the
 * little backend any customer writes (room name → conference, visitor → participant token).
 */
async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('demo', config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(
    DemoModule.register({ config, logger }),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger) },
  );
  traceHttpRequests(app.getHttpAdapter().getInstance());
  // The demo's port is public.
  registerHealthRoutes(app.getHttpAdapter().getInstance(), {}, { metrics: false });
  await app.listen(config.demo.port, config.http.host);
  logger.info({ url: `http://${config.http.host}:${config.demo.port}` }, 'demo ready');
  return () => app.close();
}

runService('demo', bootstrap);
