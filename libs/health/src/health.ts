import { fastify, type FastifyInstance } from 'fastify';
import { serveMetrics } from '@mind/telemetry';

/** One dependency a service needs to be ready; resolves when reachable, rejects otherwise. */
export type ReadinessCheck = () => Promise<void>;

const withTimeout = (check: ReadinessCheck, ms: number) =>
  Promise.race([
    check(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms)),
  ]);

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers (503 with the failing ones
 * otherwise), which is what a Kubernetes readiness probe or a load balancer wants. `/metrics`: the
 * service's metrics for Prometheus.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  options: { metrics: boolean } = { metrics: true },
) {
  if (options.metrics) {
    app.get('/metrics', (request, reply) => {
      reply.hijack();
      serveMetrics(request.raw, reply.raw);
    });
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check, 2000);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, `failing: ${(error as Error).message}`] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
}

/** The routes of `registerHealthRoutes` on a port of their own, for a process whose main port is public. */
export async function startHealthServer(
  port: number,
  host: string,
  checks: Record<string, ReadinessCheck>,
): Promise<FastifyInstance> {
  const server = fastify();
  registerHealthRoutes(server, checks);
  await server.listen({ port, host });
  return server;
}
