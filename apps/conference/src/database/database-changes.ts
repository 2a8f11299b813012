import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import { CONFIG, LOGGER } from '@mind/runtime';

const RELISTEN_MS = 1000;

/** Told of each change announced on a channel, and of everything when changes may have been missed. */
export type ChangeHandler = (payload: string | undefined) => void;

/**
 * This instance's one connection listening to the channels the database announces changes on (its
 * triggers notify when a change commits, whoever made it). While the connection is down, handlers
 * are told that anything may have changed, and `listening` is false: a cache must not keep what it
 * reads then, since it would not hear of the next change.
 */
@Injectable()
export class DatabaseChanges implements OnModuleInit, OnModuleDestroy {
  private readonly handlers = new Map<string, ChangeHandler[]>();
  private listener?: Client;
  private closed = false;
  private relisten?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get listening(): boolean {
    return this.listener !== undefined;
  }

  /** Subscribes before the module starts (in a constructor): channels are listened to from the start. */
  on(channel: string, handler: ChangeHandler): void {
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
  }

  async onModuleInit() {
    await this.listen();
  }

  async onModuleDestroy() {
    this.closed = true;
    clearTimeout(this.relisten);
    await this.listener?.end().catch(() => undefined);
  }

  private missedAll() {
    for (const handlers of this.handlers.values()) for (const handler of handlers) handler(undefined);
  }

  private async listen() {
    const client = new Client({ connectionString: this.config.databaseUrl });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      this.missedAll();
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn({ err: error }, 'not listening to database changes: nothing is cached');
      this.relisten = setTimeout(() => void this.listen(), RELISTEN_MS);
    };
    client.on('notification', ({ channel, payload }) => {
      for (const handler of this.handlers.get(channel) ?? []) handler(payload);
    });
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (lost || this.closed) return;
    // Whatever changed while nobody listened is forgotten too.
    this.missedAll();
    this.listener = client;
  }
}

/**
 * Values read from the database, in groups a channel's announcements name (an application, a
 * conference), kept only while this instance hears of every change: an announced group is dropped at
 * once, everything when changes may have been missed. Values are shared by every caller: read only.
 */
export class NotifiedCache<V extends object> {
  private readonly groups = new Map<string, Map<string, V>>();
  private entries = 0;
  /** Counts invalidations: a read that overlapped one is not kept (it may predate the change). */
  private generation = 0;

  constructor(
    private readonly changes: DatabaseChanges,
    channel: string,
    private readonly maxEntries = 10_000,
  ) {
    changes.on(channel, (group) => this.forget(group));
  }

  /** The group's value under `key`, read by `load` when not kept; a null read is not kept. */
  async get(group: string, key: string, load: () => Promise<V | null>): Promise<V | null> {
    const kept = this.groups.get(group)?.get(key);
    if (kept) return kept;
    const generation = this.generation;
    const value = await load();
    if (value && this.changes.listening && generation === this.generation) this.keep(group, key, value);
    return value;
  }

  private keep(group: string, key: string, value: V) {
    if (this.entries >= this.maxEntries) this.forget(undefined);
    let entries = this.groups.get(group);
    if (!entries) this.groups.set(group, (entries = new Map()));
    if (!entries.has(key)) this.entries++;
    entries.set(key, value);
  }

  /** Drops a group (all of them when undefined) now: a change this instance made, or may have missed. */
  forget(group: string | undefined) {
    this.generation++;
    if (group === undefined) {
      this.groups.clear();
      this.entries = 0;
      return;
    }
    const dropped = this.groups.get(group);
    if (!dropped) return;
    this.entries -= dropped.size;
    this.groups.delete(group);
  }
}
