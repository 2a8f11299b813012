import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import { conferenceEnded } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { ConferenceTransactions } from '../events/conference-transactions';
import { RecordingService } from '../recordings/recording.service';
import { CONFIG, LOGGER } from '@mind/runtime';

/**
 * Ends conferences whose `endingAt` has passed. The schedule is the `ending_at` column itself, so it
 * survives restarts; a timer aims at the next expiry and a periodic sweep catches anything else. Ending
 * and its `ended` event commit together like any change, exactly once even with several instances.
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweepTimer?: NodeJS.Timeout;
  private nextTimer?: NodeJS.Timeout;
  private stopped = false;
  private nextAt = Infinity;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: ConferenceTransactions,
    private readonly recordings: RecordingService,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    this.sweepTimer = setInterval(() => void this.sweep(), this.config.expirySweepMs);
    void this.sweep();
  }

  onApplicationShutdown() {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.nextTimer);
  }

  async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      const due: { id: string }[] = await this.dataSource.query(
        'SELECT id FROM conference WHERE ended_at IS NULL AND ending_at <= now()',
      );
      const ended = [];
      for (const { id } of due) if (await this.end(id)) ended.push(id);
      if (ended.length > 0) {
        this.logger.info({ conferences: ended }, 'conferences expired');
        for (const id of ended) await this.recordings.expectLastSegment(id);
      }
      await this.aimAtNextExpiry();
    } catch (error) {
      this.logger.warn({ err: error }, 'expiry sweep failed; will retry');
    }
  }

  /** Ends one conference that is due, unless another instance (or a deletion) was first. */
  private end(conferenceId: string): Promise<boolean> {
    return this.transactions.run(conferenceId, async (m, emit) => {
      const [rows]: [{ application_id: string }[]] = await m.query(
        `UPDATE conference SET ended_at = now()
          WHERE id = $1 AND ended_at IS NULL AND ending_at <= now()
      RETURNING application_id`,
        [conferenceId],
      );
      if (rows.length === 0) return false;
      const scope = {
        conferenceId,
        applicationId: rows[0]!.application_id,
        actor: { kind: 'platform' } as const,
      };
      emit(conferenceEnded(scope, 'expired'));
      return true;
    });
  }

  /** A new conference may end before anything the timer aims at (short-lived applications). */
  consider(endingAt: Date) {
    if (endingAt.getTime() < this.nextAt) this.aimAt(endingAt.getTime());
  }

  private async aimAtNextExpiry() {
    const [{ next }] = await this.dataSource.query(
      'SELECT extract(epoch from min(ending_at)) * 1000 AS next FROM conference WHERE ended_at IS NULL',
    );
    this.aimAt(next === null ? Infinity : Number(next));
  }

  private aimAt(at: number) {
    clearTimeout(this.nextTimer);
    this.nextAt = at;
    const delay = Math.max(0, at - Date.now()) + 20;
    if (!this.stopped && delay < this.config.expirySweepMs) {
      this.nextTimer = setTimeout(() => void this.sweep(), delay);
    }
  }
}
