import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hashToken, looksLikeToken, tokenMatches, type Principal } from '@mind/auth';
import type { Role } from '@mind/contracts';
import { ApplicationEntity } from '../database/entities';

const APPLICATION_CACHE_MS = 30_000;

/** Turns a bearer token into who is calling, or null when the token is not valid here. */
@Injectable()
export class Authenticator {
  private readonly applications = new Map<string, { tokenHash: Buffer; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async resolve(token: string, applicationId: string): Promise<Principal | null> {
    if (!looksLikeToken(token)) return null;
    const application = await this.applicationTokenHash(applicationId);
    if (application && tokenMatches(token, application)) return { kind: 'application', applicationId };
    return this.participant(token);
  }

  /** A participant token is valid while its participant exists and its conference has not ended. */
  private async participant(token: string): Promise<Principal | null> {
    const rows: { id: string; role: Role; conference_id: string; application_id: string }[] =
      await this.dataSource.query(
        `SELECT p.id, p.role, p.conference_id, c.application_id
           FROM participant p JOIN conference c ON c.id = p.conference_id
          WHERE p.token_hash = $1 AND c.ended_at IS NULL`,
        [hashToken(token)],
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

  private async applicationTokenHash(applicationId: string): Promise<Buffer | null> {
    const cached = this.applications.get(applicationId);
    if (cached && cached.until > Date.now()) return cached.tokenHash;
    const application = await this.dataSource
      .getRepository(ApplicationEntity)
      .findOne({ where: { id: applicationId }, select: { id: true, tokenHash: true } });
    if (!application) return null;
    this.applications.set(applicationId, {
      tokenHash: application.tokenHash,
      until: Date.now() + APPLICATION_CACHE_MS,
    });
    return application.tokenHash;
  }
}
