import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseChanges, NotifiedCache } from '../database/database-changes';
import { ApplicationEntity } from '../database/entities';

/** Where the database announces changed applications (see the ApplicationChanges migration). */
const APPLICATION_CHANGED = 'application_changed';

/**
 * The stored token digest of each application, cached only while this instance hears of every change:
 * the database notifies each update or deletion of an application when it commits, so a rotated or
 * deleted token stops working at once on every instance. While the listening connection is down,
 * nothing is cached and every call reads the database.
 */
@Injectable()
export class ApplicationTokenCache {
  private readonly digests: NotifiedCache<Buffer>;

  constructor(
    private readonly dataSource: DataSource,
    changes: DatabaseChanges,
  ) {
    this.digests = new NotifiedCache(changes, APPLICATION_CHANGED);
  }

  tokenHash(applicationId: string): Promise<Buffer | null> {
    return this.digests.get(applicationId, '', async () => {
      const application = await this.dataSource
        .getRepository(ApplicationEntity)
        .findOne({ where: { id: applicationId }, select: { id: true, tokenHash: true } });
      return application?.tokenHash ?? null;
    });
  }
}
