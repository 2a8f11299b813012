import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import { ApplicationEntity } from '../database/entities';
import { CONFIG, LOGGER } from '@mind/runtime';

/** Where the database announces changed applications (see the ApplicationChanges migration). */
const CHANNEL = 'application_changed';
const MAX_ENTRIES = 10_000;
const RELISTEN_MS = 1000;

/**
 * The stored token digest of each application, cached only while this instance hears of every change:
 * the database notifies each update or deletion of an application when it commits, so a rotated or
 * deleted token stops working at once on every instance. While the listening connection is down,
 * nothing is cached and every call reads the database.
 */
@Injectable()
export class ApplicationTokenCache implements OnModuleInit, OnModuleDestroy {
  private readonly digests = new Map<string, Buffer>();
  private listener?: Client;
  /** Counts invalidations: a read that overlapped one is not cached (it may predate the change). */
  private generation = 0;
  private closed = false;
  private relisten?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit() {
    await this.listen();
  }

  async onModuleDestroy() {
    this.closed = true;
    clearTimeout(this.relisten);
    await this.listener?.end().catch(() => undefined);
  }

  async tokenHash(applicationId: string): Promise<Buffer | null> {
    const cached = this.digests.get(applicationId);
    if (cached) return cached;
    const generation = this.generation;
    const application = await this.dataSource
      .getRepository(ApplicationEntity)
      .findOne({ where: { id: applicationId }, select: { id: true, tokenHash: true } });
    if (!application) return null;
    if (this.listener && generation === this.generation) {
      if (this.digests.size >= MAX_ENTRIES) this.digests.clear();
      this.digests.set(applicationId, application.tokenHash);
    }
    return application.tokenHash;
  }

  private forget(applicationId?: string) {
    this.generation++;
    if (applicationId) this.digests.delete(applicationId);
    else this.digests.clear();
  }

  private async listen() {
    const client = new Client({ connectionString: this.config.databaseUrl });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      this.forget();
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn({ err: error }, 'not listening to application changes: tokens are not cached');
      this.relisten = setTimeout(() => void this.listen(), RELISTEN_MS);
    };
    client.on('notification', (notification) => this.forget(notification.payload));
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (lost || this.closed) return;
    // Whatever changed while nobody listened is forgotten too.
    this.forget();
    this.listener = client;
  }
}
