import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import { EVENT, type ConferenceEvent } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';
import { CONFIG, LOGGER } from '@mind/runtime';
import type { OutboxPayload } from './conference-transactions';

const RELAY_LOCK = 7_316_800_002;
const BATCH = 200;
const SWEEP_MS = 1000;
const BUSY_RETRY_MS = 50;

type FlushResult = 'done' | 'more' | 'busy';

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

  /** Called after every commit that appended events; cheap when a flush is already under way. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
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

  private flushOnce(): Promise<FlushResult> {
    return this.dataSource.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK]);
      if (!locked) return 'busy';
      const rows: { seq: string; conference_id: string; payload: OutboxPayload }[] = await m.query(
        'SELECT seq, conference_id, payload FROM outbox ORDER BY seq LIMIT $1',
        [BATCH],
      );
      if (rows.length === 0) return 'done';
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
      await m.query('DELETE FROM outbox WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
      return rows.length === BATCH ? 'more' : 'done';
    });
  }
}
