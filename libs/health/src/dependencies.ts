import type { NatsConnection } from 'nats';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { ReadinessCheck } from './health';

export const natsCheck =
  (nc: NatsConnection): ReadinessCheck =>
  async () => {
    if (nc.isClosed()) throw new Error('connection closed');
    await nc.flush();
  };

/** A fresh connection per probe: proves the database accepts connections now, not that a pool once did. */
export const postgresCheck =
  (databaseUrl: string): ReadinessCheck =>
  async () => {
    const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 1500 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  };

export const redisCheck =
  (redisUrl: string): ReadinessCheck =>
  async () => {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1500 });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  };

/** The readiness checks every service runs: the platform's three shared dependencies. */
export function platformChecks(config: { databaseUrl: string; redisUrl: string }, nc: NatsConnection) {
  return {
    postgres: postgresCheck(config.databaseUrl),
    nats: natsCheck(nc),
    redis: redisCheck(config.redisUrl),
  };
}
