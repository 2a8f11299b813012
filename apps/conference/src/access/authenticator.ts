import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { digestMatches, isTokenDigest, type Principal } from '@mind/auth';
import type { Role } from '@mind/contracts';
import { ApplicationTokenCache } from './application-token-cache';

/** Turns a bearer token's digest into who is calling, or null when the token is not valid here. */
@Injectable()
export class Authenticator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly applications: ApplicationTokenCache,
  ) {}

  async resolve(tokenDigest: string, applicationId: string): Promise<Principal | null> {
    if (!isTokenDigest(tokenDigest)) return null;
    const application = await this.applications.tokenHash(applicationId);
    if (application && digestMatches(tokenDigest, application)) return { kind: 'application', applicationId };
    return this.participant(tokenDigest);
  }

  /** A participant token is valid while its participant exists and its conference has not ended. */
  private async participant(tokenDigest: string): Promise<Principal | null> {
    const rows: { id: string; role: Role; conference_id: string; application_id: string }[] =
      await this.dataSource.query(
        `SELECT p.id, p.role, p.conference_id, c.application_id
           FROM participant p JOIN conference c ON c.id = p.conference_id
          WHERE p.token_hash = $1 AND c.ended_at IS NULL`,
        [Buffer.from(tokenDigest, 'hex')],
      );
    const row = rows[0];
    return row
      ? {
          kind: 'participant',
          participantId: row.id,
          role: row.role,
          conferenceId: row.conference_id,
          applicationId: row.application_id,
        }
      : null;
  }
}
