import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | null = null;
let prometheus: PrometheusExporter | null = null;

const env = (name: string) => process.env[name]?.trim() || undefined;

/** Whether the operator asked for export (standard variables): otherwise nothing leaves the process. */
function exportWanted(signal: 'TRACES' | 'METRICS'): boolean {
  const exporter = env(`OTEL_${signal}_EXPORTER`);
  if (exporter) return exporter !== 'none';
  return Boolean(env('OTEL_EXPORTER_OTLP_ENDPOINT') ?? env(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`));
}

function otlpMetricReader(): IMetricReader {
  const protocol = env('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL');
  const exporter = protocol === 'http/json' ? new JsonMetricExporter() : new ProtobufMetricExporter();
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: Number(env('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000),
  });
}

/**
 * Starts OpenTelemetry for a service; call it before anything else is loaded (the HTTP, Postgres and
 * Redis clients are instrumented as they are required). Trace context always crosses every hop and
 * logs carry trace ids, but spans are recorded and exported only when the standard `OTEL_*`
 * variables ask for it (OTLP over HTTP, `http/json` or `http/protobuf`). Metrics are always served
 * for Prometheus on the service's health port (`/metrics`), and pushed over OTLP when configured.
 * `OTEL_SDK_DISABLED=true` turns it all off.
 */
export function startTelemetry(service: string): void {
  if (sdk) return;
  prometheus = new PrometheusExporter({ preventServerStart: true });
  const exportTraces = exportWanted('TRACES');
  sdk = new NodeSDK({
    serviceName: env('OTEL_SERVICE_NAME') ?? `mind-${service}`,
    // Without export, spans are not recorded: they still carry trace ids across hops and into logs.
    ...(exportTraces ? {} : { spanProcessors: [new NoopSpanProcessor()], sampler: new AlwaysOffSampler() }),
    metricReaders: [prometheus, ...(exportWanted('METRICS') ? [otlpMetricReader()] : [])],
    // Logs go to stdout through pino, with trace ids.
    logRecordProcessors: [],
    instrumentations: [
      // Requests served are traced in Fastify's hooks (`traceHttpRequests`); requests made, here.
      new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }),
      // Database and Redis spans matter only to a trace that is exported.
      ...(exportTraces
        ? [
            new PgInstrumentation({ requireParentSpan: true }),
            // BullMQ polls Redis all the time: only commands made on behalf of traced work become spans.
            new IORedisInstrumentation({ requireParentSpan: true }),
          ]
        : []),
    ],
  });
  sdk.start();
}

/** A server of `/metrics` alone, for a service whose HTTP port is public (the gateway). */
export function startMetricsServer(port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url?.split('?')[0] === '/metrics') return serveMetrics(request, response);
    response.statusCode = 404;
    response.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Flushes what is left to export; a service calls it last when it stops. */
export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = null;
}

/** Serves the metrics in Prometheus' text format (on a health port's `/metrics`). */
export function serveMetrics(request: IncomingMessage, response: ServerResponse): void {
  if (!prometheus) {
    response.statusCode = 404;
    response.end('telemetry is not started\n');
    return;
  }
  prometheus.getMetricsRequestHandler(request, response);
}
