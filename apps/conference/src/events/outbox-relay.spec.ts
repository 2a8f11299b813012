import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import { createLogger } from '@mind/logging';
import type { ProtocolBus } from '@mind/messaging';
import { createDataSource, ensureDatabase } from '../database/data-source';
import { migrate } from '../database/migrate';
import { eventually } from '../testing/eventually';
import { OutboxRelay } from './outbox-relay';

/**
 * The relay's transaction against the machine's PostgreSQL, in a database of its own (a relay drains
 * every row of its database). JetStream is the seam replaced here: the e2e suites publish for real.
 */
const DATABASE_URL =
  process.env.UNIT_RELAY_DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_unit_relay';
const RELAY_LOCK = 7_316_800_002;

let dataSource: DataSource;
const published: { seq: number; msgId: string; key: string }[] = [];
let failing = false;
const bus = {
  append: async (_event: unknown, body: { seq: number }, options: { msgId: string }, key: string) => {
    if (failing) throw new Error('JetStream did not answer');
    published.push({ seq: body.seq, msgId: options.msgId, key });
  },
} as unknown as ProtocolBus;
const config = { nats: { prefix: 'spec' } } as Config;
let relay: OutboxRelay;

const append = async (conferenceId: string, count: number): Promise<number[]> => {
  const rows: { seq: string }[] = await dataSource.query(
    `INSERT INTO outbox (conference_id, payload)
     SELECT $1::uuid, json_build_object('n', n) FROM generate_series(1, $2) n
     RETURNING seq`,
    [conferenceId, count],
  );
  return rows.map((row) => Number(row.seq));
};
const waiting = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM outbox`))[0].n);
beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  dataSource = createDataSource(DATABASE_URL);
  await dataSource.initialize();
  await migrate(dataSource);
  await dataSource.query(`DELETE FROM outbox`);
  relay = new OutboxRelay(dataSource, bus, config, createLogger('spec', 'silent'));
});

afterAll(async () => {
  await relay.onApplicationShutdown();
  await dataSource.destroy();
});

beforeEach(() => {
  published.length = 0;
  failing = false;
});

describe('OutboxRelay', () => {
  it('publishes waiting rows in commit order, each with its de-duplication id, then deletes them', async () => {
    const conference = randomUUID();
    const seqs = [...(await append(conference, 3)), ...(await append(conference, 2))];
    relay.kick();
    await eventually(() => published.length === 5);
    expect(published).toEqual(seqs.map((seq) => ({ seq, msgId: `spec-${seq}`, key: conference })));
    await eventually(async () => (await waiting()) === 0);
  });

  it('drains more than a batch', async () => {
    const seqs = await append(randomUUID(), 450);
    relay.kick();
    await eventually(() => published.length === 450);
    expect(published.map((p) => p.seq)).toEqual(seqs);
    await eventually(async () => (await waiting()) === 0);
  });

  it('leaves the rows to the relay holding the lock, and takes them when it is let go', async () => {
    const other = new Client({ connectionString: DATABASE_URL });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RELAY_LOCK]);
      await append(randomUUID(), 2);
      relay.kick();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(published).toEqual([]);
      expect(await waiting()).toBe(2);
      await other.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK]);
      // Retried on its own, shortly after it found the lock taken.
      await eventually(() => published.length === 2);
      await eventually(async () => (await waiting()) === 0);
    } finally {
      await other.end();
    }
  });

  it('keeps the rows of a flush JetStream refused, for the next', async () => {
    failing = true;
    const seqs = await append(randomUUID(), 2);
    relay.kick();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await waiting()).toBe(2);
    failing = false;
    relay.kick();
    await eventually(() => published.length === 2);
    expect(published.map((p) => p.seq)).toEqual(seqs);
    await eventually(async () => (await waiting()) === 0);
  });
});
