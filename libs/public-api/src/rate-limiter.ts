import { hash } from 'node:crypto';
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
 * Counts one event on each key (KEYS), each opening its window (ARGV[1] seconds) at its first event,
 * and answers the seconds to wait for the longest-waiting counter over its limit (ARGV[2..]), or 0.
 * One script call instead of three commands per counter: the API's busiest routes pay for one
 * command's encoding and reply, and the counters move together.
 */
const HIT_SCRIPT = `
local wait = 0
for i, key in ipairs(KEYS) do
  local events = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[1], 'NX')
  if events > tonumber(ARGV[i + 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = 1 end
    if ttl > wait then wait = ttl end
  end
end
return wait
`;

interface HitCommand {
  rateLimitHit(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number>;
}

/**
 * Counters in Redis, so that every gateway instance counts together. A subject's window opens at its
 * first event and lasts `windowS`: a burst is never split in two by a clock boundary. When Redis
 * cannot be reached the limits are not applied (logged): the API keeps answering.
 */
export class RateLimiter {
  private readonly redis: Redis & HitCommand;

  constructor(
    redis: Redis,
    /** Keeps deployments (and test platforms) sharing one Redis apart. */
    private readonly prefix: string,
    private readonly windowS: number,
    private readonly logger: Logger,
  ) {
    // ioredis sends the script by its digest, and itself once more when Redis answers NOSCRIPT.
    redis.defineCommand('rateLimitHit', { lua: HIT_SCRIPT });
    this.redis = redis as Redis & HitCommand;
  }

  /** Counts one event on each counter; the seconds to wait when one is over its limit, else null. */
  async hit(counters: Counter[]): Promise<number | null> {
    if (counters.length === 0) return null;
    const keys = counters.map((c) => `${this.prefix}:rate:${c.name}:${subjectDigest(c.subject)}`);
    try {
      const wait = await this.redis.rateLimitHit(
        keys.length,
        ...keys,
        this.windowS,
        ...counters.map((c) => c.limit),
      );
      return wait > 0 ? wait : null;
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limits not applied: Redis did not answer');
      return null;
    }
  }
}

/** How a counted subject (an address, a token) appears in keys and events. */
export const subjectDigest = (subject: string) => hash('sha256', subject, 'hex').slice(0, 32);
