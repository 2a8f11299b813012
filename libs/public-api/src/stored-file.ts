import type { FastifyReply } from 'fastify';
import type { ByteRange, ObjectStorage } from '@mind/storage';

/**
 * Parses a single-range `Range: bytes=…` header against an object's size: the range, `null` to send
 * the whole object (no header, or a form we ignore as RFC 9110 allows), or `'unsatisfiable'`.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    // A suffix: the last N bytes.
    const length = Number(match[2]);
    if (length === 0) return 'unsatisfiable';
    start = Math.max(0, size - length);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** Streams a stored object (a recording, its thumbnail or preview), honouring `Range`. */
export async function sendStoredFile(
  reply: FastifyReply,
  storage: ObjectStorage,
  file: { key: string; contentType: string },
  rangeHeader: string | undefined,
) {
  const stored = await storage.stat(file.key);
  if (!stored) return reply.code(404).send({ error: 'nothing has been recorded in this conference yet' });
  reply.header('accept-ranges', 'bytes');
  const range = parseRange(rangeHeader, stored.size);
  if (range === 'unsatisfiable') {
    return reply
      .code(416)
      .header('content-range', `bytes */${stored.size}`)
      .send({ error: 'range not satisfiable' });
  }
  reply.header('content-type', file.contentType);
  if (!range) {
    reply.header('content-length', stored.size);
    return reply.code(200).send(await storage.read(file.key));
  }
  reply
    .header('content-range', `bytes ${range.start}-${range.end}/${stored.size}`)
    .header('content-length', range.end - range.start + 1);
  return reply.code(206).send(await storage.read(file.key, range));
}
