import './telemetry';
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { bundleDemoPage, WEB_ROOT } from './page-bundle';
import { DemoApiError, RoomDirectory } from './room-directory';

@Module({})
class DemoModule {}

const joinSchema = {
  params: {
    type: 'object',
    required: ['room'],
    properties: { room: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  },
  body: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;

/**
 * The demo web application `npm start` serves: a video room page on top of the web client, and the
 * little backend any customer writes (room name → conference, visitor → participant token).
 */
async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('demo', config.logLevel);
  const [script, page] = await Promise.all([
    bundleDemoPage(),
    readFile(join(WEB_ROOT, 'index.html'), 'utf8'),
  ]);
  const rooms = new RoomDirectory(config.demo);

  const app = await NestFactory.create<NestFastifyApplication>(DemoModule, new FastifyAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  fastify.get('/demo.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script));
  fastify.post<{ Params: { room: string }; Body: { name: string } }>(
    '/rooms/:room/participants',
    { schema: joinSchema },
    async (request, reply) => {
      try {
        return await rooms.join(request.params.room, request.body.name);
      } catch (error) {
        // The platform refused (full conference, bad token): say why instead of a bare 500.
        const status = error instanceof DemoApiError && error.status < 500 ? 409 : 502;
        logger.warn({ err: error, room: request.params.room }, 'demo join failed');
        return reply.code(status).send({ error: (error as Error).message });
      }
    },
  );
  // The demo's port is public.
  registerHealthRoutes(fastify, {}, { metrics: false });

  app.enableShutdownHooks();
  await app.listen(config.demo.port, config.http.host);
  logger.info({ url: `http://${config.http.host}:${config.demo.port}` }, 'demo ready');
  return () => app.close();
}

runService('demo', bootstrap);
