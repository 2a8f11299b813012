import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '@mind/logging';
import { RateLimiter } from './rate-limiter';

// The machine's Redis, as the services use it; each test counts under a prefix of its own.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const logger = createLogger('rate-limiter-spec', 'silent');

afterAll(() => redis.quit());

const limiterFor = (windowS: number) => new RateLimiter(redis, `spec-${randomUUID()}`, windowS, logger);

describe('RateLimiter', () => {
  it('lets events through up to each limit, then answers the seconds left in the window', async () => {
    const limiter = limiterFor(30);
    const counters = [
      { name: 'messages-token', subject: 'token-a', limit: 3 },
      { name: 'messages-ip', subject: '10.0.0.1', limit: 5 },
    ];
    for (let i = 0; i < 3; i++) expect(await limiter.hit(counters)).toBeNull();
    const wait = await limiter.hit(counters);
    expect(wait).toBeGreaterThanOrEqual(29);
    expect(wait).toBeLessThanOrEqual(30);
    // Another token from the same address is counted apart from the first, its address with the first's.
    const other = [{ ...counters[0], subject: 'token-b' }, counters[1]];
    expect(await limiter.hit(other)).toBeNull();
    expect(await limiter.hit(other)).toBeGreaterThanOrEqual(29);
  });

  it('opens a window at a subject first event and forgets the count when it closes', async () => {
    const limiter = limiterFor(1);
    const counters = [{ name: 'offers-ip', subject: '10.0.0.2', limit: 1 }];
    expect(await limiter.hit(counters)).toBeNull();
    expect(await limiter.hit(counters)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await limiter.hit(counters)).toBeNull();
  });

  it('keeps counting after Redis forgets its scripts', async () => {
    const limiter = limiterFor(30);
    const counters = [{ name: 'offers-token', subject: 'token-c', limit: 1 }];
    expect(await limiter.hit(counters)).toBeNull();
    await redis.script('FLUSH');
    expect(await limiter.hit(counters)).toBe(30);
  });

  it('does not apply limits when Redis cannot be reached', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    unreachable.on('error', () => undefined);
    const limiter = new RateLimiter(unreachable, 'spec', 30, logger);
    expect(await limiter.hit([{ name: 'offers-ip', subject: '10.0.0.3', limit: 0 }])).toBeNull();
    unreachable.disconnect();
  });
});
