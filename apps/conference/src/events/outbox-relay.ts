import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import { EVENT, type ConferenceEvent } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';
import { CONFIG, LOGGER } from '@mind/runtime';
import { databasePool } from '../database/prepared-statements';
import type { OutboxPayload } from './conference-transactions';

const RELAY_LOCK = 7_316_800_002;
const BATCH = 200;
const SWEEP_MS = 1000;
const BUSY_RETRY_MS = 50;
/**
 * How long the relay waits after a commit before it flushes, so that the commits of the next moments
 * go in the same flush: each flush wakes PostgreSQL, NATS and every follower of the events, which on a
 * small machine costs more than the events themselves. Two milliseconds saved a tenth of a message
 * post's CPU at 900 posts/s, with no worse tail (bench/README.md); at 5-20 ms the tail grew.
 */
const GATHER_MS = 2;

type FlushResult = 'done' | 'more' | 'busy';
type OutboxRow = { seq: string; conference_id: string; payload: OutboxPayload };
/** `locked` on every row; the others null when the lock is another relay's or nothing is waiting. */
type TakenRow = { locked: boolean } & (OutboxRow | { seq: null });

const TAKE = `BEGIN;
  SELECT l.locked, o.seq, o.conference_id, o.payload
    FROM (SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS locked) l
    LEFT JOIN LATERAL (
      SELECT seq, conference_id, payload FROM outbox WHERE l.locked ORDER BY seq LIMIT ${BATCH}
    ) o ON true`;

/**
 * Publishes committed outbox rows to JetStream in commit order, then deletes them. One relay at a time
 * holds the lock (several conference instances may run); a row left behind by a crash is published by
 * the next sweep, and JetStream's de-duplication by message id makes a re-send harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private running: Promise<void> | null = null;
  private again = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: ProtocolBus,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => this.kick(), SWEEP_MS);
    this.kick();
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.running;
  }

  /** Called after every commit that appended events; cheap when a flush is already due or under way. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = delay(GATHER_MS)
      .then(() => {
        // The flush takes every row committed so far: kicks while it waited need no flush of their own.
        this.again = false;
        return this.drain();
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const result = await this.flushOnce();
        if (result === 'done') return;
        if (result === 'busy') {
          setTimeout(() => this.kick(), BUSY_RETRY_MS);
          return;
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox relay failed; will retry');
    }
  }

  /**
   * One flush in two round trips on one pooled connection: the transaction, the lock and the oldest
   * rows in one (constants only, so several statements fit one simple query), then, once JetStream
   * holds them, their deletion and the commit in another.
   */
  private async flushOnce(): Promise<FlushResult> {
    const client = await databasePool(this.dataSource).connect();
    try {
      const [, taken] = (await client.query(TAKE)) as unknown as [unknown, { rows: TakenRow[] }];
      const rows = taken.rows.filter((row): row is TakenRow & OutboxRow => row.seq !== null);
      if (!taken.rows[0]?.locked || rows.length === 0) {
        await client.query('COMMIT');
        return taken.rows[0]?.locked ? 'done' : 'busy';
      }
      // Issued in order on one connection, so JetStream stores them in order; awaited together.
      await Promise.all(
        rows.map(({ seq, conference_id, payload: { trace, ...event } }) =>
          this.bus.append(
            EVENT.conference,
            { ...event, seq: Number(seq) } as ConferenceEvent,
            { msgId: `${this.config.nats.prefix}-${seq}`, trace },
            conference_id,
          ),
        ),
      );
      // The sequence numbers are PostgreSQL's own bigints (digits only), written into the text as such.
      const seqs = rows.map((row) => BigInt(row.seq).toString()).join(',');
      await client.query(`DELETE FROM outbox WHERE seq = ANY('{${seqs}}'::bigint[]); COMMIT`);
      return rows.length === BATCH ? 'more' : 'done';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
