import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '@mind/logging';
import { jsonBodyProblem, redactUrl } from './json-body';

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * The API's HTTP rules that are not about any one route: JSON only (with any parameters, an empty body
 * read as none, anything else 415; no deep nesting, no NUL) and a structured log line per request
 * (tokens in the URL masked).
 */
export function applyHttpConventions(app: FastifyInstance, logger: Logger) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(new HttpError(400, 'request body is not valid JSON'), undefined);
    }
    const problem = jsonBodyProblem(parsed);
    if (problem) return done(new HttpError(400, problem.error, problem.field), undefined);
    done(null, parsed);
  });

  app.addHook('onResponse', (request, reply, done) => {
    logger.info(
      {
        traceId: reply.getHeader('x-request-id'),
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'http request',
    );
    done();
  });
}

/**
 * Every failure leaves as a JSON `{ error }` body: routing misses, content-type and body-size refusals,
 * unparsable JSON. Only a real fault is a 500, and it is logged.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status =
      error instanceof HttpException
        ? error.getStatus()
        : ((error as { statusCode?: number }).statusCode ?? 500);
    if (status >= 500) {
      this.logger.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal error' });
    }
    const { code, field } = error as { code?: string; field?: string };
    const message =
      status === 404
        ? 'not found'
        : code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'Content-Type must be application/json'
          : code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? 'request body is too large'
            : (error as Error).message;
    return reply.code(status).send({ error: message, ...(field ? { field } : {}) });
  }
}
