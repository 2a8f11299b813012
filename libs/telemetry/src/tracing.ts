import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { newTraceId } from '@mind/logging';

/** The platform's tracer: every span of our own is started from it. */
export const tracer = () => trace.getTracer('mind-platform');

/** W3C trace context (`traceparent`, `tracestate`) as carried in message headers or job data. */
export type TraceCarrier = Record<string, string>;

export type SpanRole = 'internal' | 'client' | 'server' | 'producer' | 'consumer';
const KINDS: Record<SpanRole, SpanKind> = {
  internal: SpanKind.INTERNAL,
  client: SpanKind.CLIENT,
  server: SpanKind.SERVER,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** The trace id of the work in progress (the active span's), or a new one outside any trace. */
export function activeTraceId(): string {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : newTraceId();
}

/** The active trace context, to carry to another process. */
export function currentTraceCarrier(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Writes the active trace context with `set` (message headers). */
export function injectTrace(set: (key: string, value: string) => void): void {
  propagation.inject(context.active(), undefined, { set: (_carrier, key, value) => set(key, value) });
}

/** The trace context another process sent (read with `get`), to continue its trace. */
export function extractTrace(get: (key: string) => string | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, undefined, {
    get: (_carrier, key) => get(key),
    keys: () => ['traceparent', 'tracestate'],
  });
}

/** A trace context from a carrier (job data, an event). */
export const traceFromCarrier = (carrier: TraceCarrier | undefined): Context =>
  carrier ? extractTrace((key) => carrier[key]) : ROOT_CONTEXT;

/** Runs `work` in the trace a carrier holds (work done later, or for several callers at once). */
export const inTraceOf = <T>(carrier: TraceCarrier | undefined, work: () => T): T =>
  context.with(traceFromCarrier(carrier), work);

/**
 * Runs `work` in a span of its own (a child of `parent`, by default the active context), ends the span
 * when it settles and records a failure on it.
 */
export async function inSpan<T>(
  name: string,
  options: { role?: SpanRole; parent?: Context; attributes?: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: KINDS[options.role ?? 'internal'], attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export type { Context, Span };
