import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  isUuid,
  OPERATION_IDS,
  OPERATIONS,
  pathParams,
  type ApiCommand,
  type ApiReply,
  type ErrorBody,
  type OperationId,
  type OperationSpec,
  type PathParam,
} from '@mind/contracts';
import { looksLikeToken, tokenDigest } from '@mind/auth';
import type { Logger } from '@mind/logging';
import { activeTraceId } from '@mind/telemetry';
import { PayloadTooLargeError } from '@mind/messaging';
import type { Config } from '@mind/config';
import type { ObjectStorage } from '@mind/storage';
import type { ApiDispatch } from './api-dispatch';
import { bearerToken } from './bearer-token';
import type { FailedAuthGuard } from './failed-auth-guard';
import type { Counter, RateLimiter } from './rate-limiter';
import { parseDetailed, parsePage, validateBody } from './request-validation';
import { sendStoredFile } from './stored-file';

const sendError = (reply: FastifyReply, status: number, body: ErrorBody) => reply.code(status).send(body);

/** What a request counts against, beyond failed authentication: messages and session offers. */
function countersOf(
  operation: OperationId,
  token: string,
  ip: string,
  limits: Config['rateLimits'],
): Counter[] {
  if (operation === 'sendMessage') {
    return [
      { name: 'messages-token', subject: token, limit: limits.messagesPerToken },
      { name: 'messages-ip', subject: ip, limit: limits.messagesPerIp },
    ];
  }
  if (operation === 'initiateSession' || operation === 'initiateOwnSession') {
    return [
      { name: 'offers-token', subject: token, limit: limits.offersPerToken },
      { name: 'offers-ip', subject: ip, limit: limits.offersPerIp },
    ];
  }
  return [];
}

/**
 * Registers every operation of the contract as a route that checks what the gateway can check alone
 * (path ids, token presence, body and query shape) and hands the call to the conference service.
 */
export function registerApiRoutes(
  app: FastifyInstance,
  calls: ApiDispatch,
  storage: ObjectStorage,
  rates: { limiter: RateLimiter; guard: FailedAuthGuard; limits: Config['rateLimits'] },
  logger: Logger,
) {
  const tooMany = (reply: FastifyReply, waitS: number) =>
    reply
      .header('retry-after', String(waitS))
      .code(429)
      .send({ error: `too many requests, retry in ${waitS} s` });
  for (const operation of OPERATION_IDS) {
    const spec: OperationSpec = OPERATIONS[operation];
    const names = pathParams(operation);
    app.route({
      method: spec.method,
      url: spec.path,
      handler: (request, reply) => forward(operation, spec, names, request, reply),
    });
  }

  async function forward(
    operation: OperationId,
    spec: OperationSpec,
    names: readonly PathParam[],
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const traceId = activeTraceId();
    reply.header('x-request-id', traceId);
    const raw = request.params as Record<string, string>;
    const params: ApiCommand['params'] = {};
    for (const name of names) {
      if (!isUuid(raw[name])) return sendError(reply, 404, { error: `${name} must be a UUID`, field: name });
      params[name] = raw[name].toLowerCase();
    }
    // An address that keeps failing to authenticate is refused everything for a while.
    const blocked = rates.guard.waitFor(request.ip);
    if (blocked) return tooMany(reply, blocked);
    const token = bearerToken(request.headers, request.query);
    if (!token || !looksLikeToken(token)) {
      const wait = await rates.guard.failed(request.ip);
      if (wait) return tooMany(reply, wait);
      return sendError(reply, 401, { error: 'missing or invalid token' });
    }

    const query: ApiCommand['query'] = {};
    if (spec.query === 'detailed') {
      const detailed = parseDetailed((request.query as Record<string, unknown>).detailed);
      if (typeof detailed !== 'boolean') return sendError(reply, 400, detailed);
      query.detailed = detailed;
    }
    if (spec.query === 'page') {
      const page = parsePage(request.query as Record<string, unknown>);
      if ('error' in page) return sendError(reply, 400, page);
      Object.assign(query, page);
    }
    let body: Record<string, unknown> = {};
    if (spec.body) {
      // Only an absent body means "no fields"; a JSON null is a wrong type like any other.
      const candidate = request.body === undefined ? {} : request.body;
      const problem = validateBody(spec.body, candidate);
      if (problem) return sendError(reply, 400, problem);
      body = candidate as Record<string, unknown>;
    }
    const digest = tokenDigest(token);
    const wait = await rates.limiter.hit(countersOf(operation, digest, request.ip, rates.limits));
    if (wait) return tooMany(reply, wait);
    const accept = request.headers.accept;
    const command: ApiCommand = { operation, tokenDigest: digest, params, query, body, accept, traceId };
    let answer: ApiReply;
    try {
      answer = await calls.dispatch(command, spec.answerWithinMs);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        return sendError(reply, 413, { error: 'request body is too large' });
      }
      logger.error({ err: error, traceId, operation }, 'conference service did not answer');
      return sendError(reply, 503, { error: 'service temporarily unavailable, please retry' });
    }
    if (answer.status === 401) {
      const wait = await rates.guard.failed(request.ip);
      if (wait) return tooMany(reply, wait);
    }
    if (answer.headers) reply.headers(answer.headers);
    if (answer.file) return sendStoredFile(reply, storage, answer.file, request.headers.range);
    return reply.code(answer.status).send(answer.body ?? {});
  }
}
