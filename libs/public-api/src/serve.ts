import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Config } from '@mind/config';
import { registerHealthRoutes, type ReadinessCheck } from '@mind/health';
import { traceHttpRequests } from '@mind/telemetry';
import type { Logger } from '@mind/logging';
import { ApiExceptionFilter, applyHttpConventions } from './http-conventions';
import { buildOpenApiDocument } from './openapi';

/** The version of the API the OpenAPI document describes. */
export const API_VERSION = '0.1.0';

/** Nest's Fastify adapter with the API's limits; the application is created with `bodyParser: false`. */
export function publicApiAdapter(config: Config): FastifyAdapter {
  return new FastifyAdapter({
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
}

/**
 * What the API's port serves besides the routes of `PublicApiModule`: CORS, JSON errors, a span per
 * request, the HTTP conventions, the OpenAPI document (`/openapi.json`, `/docs`) and `/healthz`, `/readyz` (metrics
 * have a port of their own: the API's port is public).
 */
export async function configurePublicApi(
  app: NestFastifyApplication,
  checks: Record<string, ReadinessCheck>,
  logger: Logger,
): Promise<void> {
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
  traceHttpRequests(fastify);
  applyHttpConventions(fastify, logger);

  const document = buildOpenApiDocument(API_VERSION);
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  fastify.get('/openapi.json', async () => document);
  registerHealthRoutes(fastify, checks, { metrics: false });
}
