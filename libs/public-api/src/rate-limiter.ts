import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@mind/logging';

/** One counter: what it counts, for whom, and how many per window it lets through. */
export interface Counter {
  name: string;
  /** An address, or a token (stored only as a digest). */
  subject: string;
  limit: number;
}

/**
 * Counters in Redis, so that every gateway instance counts together. A subject's window opens at its
 * first event and lasts `windowS`: a burst is never split in two by a clock boundary. When Redis
 * cannot be reached the limits are not applied (logged): the API keeps answering.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    /** Keeps deployments (and test platforms) sharing one Redis apart. */
    private readonly prefix: string,
    private readonly windowS: number,
    private readonly logger: Logger,
  ) {}

  /** Counts one event on each counter; the seconds to wait when one is over its limit, else null. */
  async hit(counters: Counter[]): Promise<number | null> {
    if (counters.length === 0) return null;
    const pipeline = this.redis.pipeline();
    for (const counter of counters) {
      const key = `${this.prefix}:rate:${counter.name}:${subjectDigest(counter.subject)}`;
      pipeline.incr(key).expire(key, this.windowS, 'NX').ttl(key);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limits not applied: Redis did not answer');
      return null;
    }
    let wait: number | null = null;
    counters.forEach((counter, i) => {
      const events = Number(results?.[i * 3]?.[1] ?? 0);
      if (events <= counter.limit) return;
      const ttl = Number(results?.[i * 3 + 2]?.[1] ?? this.windowS);
      wait = Math.max(wait ?? 1, ttl > 0 ? ttl : 1);
    });
    return wait;
  }
}

/** How a counted subject (an address, a token) appears in keys and events. */
export const subjectDigest = (subject: string) =>
  createHash('sha256').update(subject).digest('hex').slice(0, 32);
