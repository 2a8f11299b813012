import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type EntityTarget, type FindOptionsWhere } from 'typeorm';
import type { ConferenceEvent, ConferenceEventInput } from '@mind/contracts';
import { currentTraceCarrier, type TraceCarrier } from '@mind/telemetry';
import { OutboxEntity } from '../database/entities';
import { HotReads } from '../database/hot-reads';
import { PreparedStatements } from '../database/prepared-statements';
import { OutboxRelay } from './outbox-relay';

export type Emit = (event: ConferenceEventInput) => void;

/** An event as the outbox keeps it until it is relayed: with the trace context of the change. */
export type OutboxPayload = Omit<ConferenceEvent, 'seq'> & { trace?: TraceCarrier };

/** What the outbox keeps of an event: when it happened, and the trace of the change that caused it. */
export const outboxPayload = (event: ConferenceEventInput, at = Date.now()): OutboxPayload => ({
  ...event,
  at,
  trace: currentTraceCarrier(),
});

/**
 * How a change holds its conference's advisory lock. `exclusive`: it commits alone (changes to existing
 * state, limits counted before an insert). `shared`: it only adds independent new resources
 * (messages), so such changes run side by side, still ordered against every exclusive change.
 */
export type LockMode = 'exclusive' | 'shared';

/** The lock functions, taking the conference id as `$1`. */
export const LOCK_FUNCTION: Record<LockMode, string> = {
  exclusive: 'pg_advisory_xact_lock(hashtextextended($1::text, 0))',
  shared: 'pg_advisory_xact_lock_shared(hashtextextended($1::text, 0))',
};

/** The conference was deleted between the caller's checks and its change (foreign key violation). */
export class ConferenceGoneError extends Error {}

const goneOnForeignKeyViolation = (error: { code?: string }): never => {
  throw error.code === '23503' ? new ConferenceGoneError('conference not found') : error;
};

/**
 * Every change to a conference runs through here: one transaction holding the conference's advisory
 * lock (so the events of one conference are numbered in commit order, on any number of instances),
 * with the events describing the change written to the outbox in the same transaction.
 */
@Injectable()
export class ConferenceTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly statements: PreparedStatements,
    private readonly reads: HotReads,
  ) {}

  async run<T>(
    conferenceId: string,
    work: (m: EntityManager, emit: Emit) => Promise<T>,
    mode: LockMode = 'exclusive',
  ): Promise<T> {
    const events: ConferenceEventInput[] = [];
    const result = await this.dataSource
      .transaction(async (m) => {
        await m.query(`SELECT ${LOCK_FUNCTION[mode]}`, [conferenceId]);
        const value = await work(m, (event) => events.push(event));
        if (events.length > 0) {
          const at = Date.now();
          await m.insert(
            OutboxEntity,
            events.map((event) => ({ conferenceId: event.conferenceId, payload: outboxPayload(event, at) })),
          );
        }
        return value;
      })
      .catch(goneOnForeignKeyViolation);
    this.reads.changed(conferenceId);
    if (events.length > 0) this.relay.kick();
    return result;
  }

  /**
   * A change made by one prepared statement instead of a transaction, for the hottest calls (one round
   * trip): the statement takes the conference's lock (`LOCK_FUNCTION`), makes its change and inserts its
   * outbox rows itself. Answers the statement's rows: one per event it appended.
   */
  async statement<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const appended = await this.statements.run<T>(name, text, values).catch(goneOnForeignKeyViolation);
    if (appended.length > 0) this.relay.kick();
    return appended;
  }

  /**
   * Deletes the rows of `entity` in the conference that match `where` (all of them when empty) and
   * announces each removal; returns how many were removed.
   */
  remove<E extends { id: string; conferenceId: string }>(
    conferenceId: string,
    entity: EntityTarget<E>,
    where: { id?: string },
    announce: (emit: Emit, removed: E) => void,
  ): Promise<number> {
    return this.run(conferenceId, async (m, emit) => {
      const rows = await m.findBy(entity, { ...where, conferenceId } as FindOptionsWhere<E>);
      if (rows.length === 0) return 0;
      await m.delete(
        entity,
        rows.map((row) => row.id),
      );
      for (const row of rows) announce(emit, row);
      return rows.length;
    });
  }
}
