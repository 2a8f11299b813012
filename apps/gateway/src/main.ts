import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { loadConfig } from '@mind/config';
import { platformChecks, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { runService } from '@mind/runtime';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { ApiExceptionFilter, applyHttpConventions } from './http-conventions';
import { GatewayModule } from './gateway.module';
import { buildOpenApiDocument } from './openapi';

const VERSION = '0.1.0';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('gateway', config.logLevel);
  const nc = await connectNats(config.nats, 'gateway', logger);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // A slow client (a body that never comes, a byte now and then) must not hold a connection forever.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    // Node checks the request and headers timeouts this often (30 s by default).
    http: { connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs) },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // X-Forwarded-For names the client only when a proxy we know put it there.
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
  });
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register({ config, logger, bus }),
    adapter,
    {
      logger: new PinoNestLogger(logger),
      bodyParser: false,
    },
  );
  app.enableCors({
    origin: '*',
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    // Range and its answers: a web page on another origin may play or page through a recording.
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Mind-SDK', 'Range'],
    exposedHeaders: ['x-request-id', 'Content-Range', 'Content-Length', 'Accept-Ranges'],
    maxAge: 86400,
  });
  app.useGlobalFilters(new ApiExceptionFilter(logger));
  const fastify = app.getHttpAdapter().getInstance();
  applyHttpConventions(fastify, logger);

  const document = buildOpenApiDocument(VERSION);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  fastify.get('/openapi.json', async () => document);
  // The API port is public: metrics have a port of their own (MetricsPort).
  registerHealthRoutes(fastify, platformChecks(config, nc), { metrics: false });

  await app.listen(config.http.port, config.http.host);
  logger.info({ url: `http://${config.http.host}:${config.http.port}` }, 'gateway ready');

  return async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('gateway', bootstrap);
