import { connect } from 'node:net';
import { fastify, type FastifyInstance } from 'fastify';
import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { traceHttpRequests } from './http-server';

class CollectingReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

const spans = new InMemorySpanExporter();
const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const reader = new CollectingReader();
const meters = new MeterProvider({ readers: [reader] });

const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
const parentSpanId = '00f067aa0ba902b7';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `predicate` holds, polling the exported spans. */
async function spanWhere(predicate: (name: string) => boolean) {
  for (let waited = 0; waited < 2000; waited += 10) {
    const found = spans.getFinishedSpans().find((span) => predicate(span.name));
    if (found) return found;
    await sleep(10);
  }
  throw new Error('no such span was ended');
}

describe('traceHttpRequests', () => {
  let app: FastifyInstance;
  let base: string;
  let handlerWaits: () => void;

  beforeAll(async () => {
    tracing.register();
    metrics.setGlobalMeterProvider(meters);
    app = fastify();
    traceHttpRequests(app);
    // Answers the trace id it runs in, after its body was parsed and after an await.
    app.post('/things/:id', async (request) => {
      await sleep(5);
      return { traceId: trace.getActiveSpan()?.spanContext().traceId, body: request.body };
    });
    app.get('/broken', async () => {
      throw new Error('broken');
    });
    app.get('/slow', () => new Promise<void>((resolve) => (handlerWaits = resolve)));
    app.get('/healthz', async () => ({ status: 'ok' }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await tracing.shutdown();
    await meters.shutdown();
  });
  beforeEach(() => spans.reset());

  it('serves a request in a server span of the caller trace, through body parsing and awaits', async () => {
    const answer = await fetch(`${base}/things/7?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${parentSpanId}-01` },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await answer.json()).toEqual({ traceId, body: { a: 1 } });
    const span = await spanWhere((name) => name === 'POST /things/:id');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/things/:id',
      'url.path': '/things/7',
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('starts a trace of its own for a caller that sent none', async () => {
    const answer = await fetch(`${base}/things/8`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { traceId: own } = (await answer.json()) as { traceId: string };
    expect(own).toMatch(/^[0-9a-f]{32}$/);
    expect(own).not.toBe(traceId);
    expect((await spanWhere((name) => name === 'POST /things/:id')).parentSpanContext).toBeUndefined();
  });

  it('marks a server fault as an error, and leaves probes untraced', async () => {
    expect((await fetch(`${base}/broken`)).status).toBe(500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const span = await spanWhere((name) => name === 'GET /broken');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    await sleep(50);
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(['GET /broken']);
  });

  it('ends the span of a request whose client went away before the answer', async () => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1');
    socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
    for (let waited = 0; !handlerWaits && waited < 2000; waited += 10) await sleep(10);
    socket.destroy();
    const span = await spanWhere((name) => name === 'GET /slow');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the client went away' });
    handlerWaits();
  });

  it('records every request served in http.server.request.duration, by method, route and status', async () => {
    const { resourceMetrics } = await reader.collect();
    const histogram = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'http.server.request.duration') as HistogramMetricData;
    expect(histogram.descriptor.unit).toBe('s');
    const points = histogram.dataPoints.map((point): Record<string, unknown> => ({
      ...point.attributes,
      count: point.value.count,
    }));
    expect(points).toEqual(
      expect.arrayContaining([
        {
          'http.request.method': 'POST',
          'http.route': '/things/:id',
          'url.scheme': 'http',
          'http.response.status_code': 200,
          count: 2,
        },
        {
          'http.request.method': 'GET',
          'http.route': '/broken',
          'url.scheme': 'http',
          'http.response.status_code': 500,
          'error.type': '500',
          count: 1,
        },
        {
          'http.request.method': 'GET',
          'http.route': '/slow',
          'url.scheme': 'http',
          'error.type': 'aborted',
          count: 1,
        },
      ]),
    );
    expect(points.some((point) => point['http.route'] === '/healthz')).toBe(false);
  });
});
