import type { FastifyRequest } from 'fastify';

/** The caller's token from `Authorization: Bearer …`, or `?access_token=` where headers cannot be set. */
export function bearerToken(headers: FastifyRequest['headers'], query: unknown): string | null {
  const header = headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const fromQuery = (query as Record<string, unknown> | undefined)?.access_token;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : null;
}
