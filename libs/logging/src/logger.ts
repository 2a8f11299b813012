import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(service: string, level = 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A trace id for a request or job that arrived without one (W3C trace-id shape: 32 hex digits). */
export function newTraceId(): string {
  return randomUUID().replace(/-/g, '');
}

/** Trace id from an incoming `traceparent` or `x-request-id`, else a new one. */
export function traceIdFrom(headers: Record<string, string | string[] | undefined>): string {
  const traceparent = headers['traceparent'];
  const match = typeof traceparent === 'string' ? /^[\da-f]{2}-([\da-f]{32})-/.exec(traceparent) : null;
  if (match) return match[1];
  const requestId = headers['x-request-id'];
  return typeof requestId === 'string' && /^[\w-]{8,64}$/.test(requestId) ? requestId : newTraceId();
}

/** Lets NestJS write its own messages through pino, so every line of a service is structured. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
