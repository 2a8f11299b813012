import { Injectable } from '@nestjs/common';
import type { Role } from '@mind/contracts';
import { ConferenceEntity, ParticipantEntity } from './entities';
import { PreparedStatements } from './prepared-statements';

/** The participant a token digest belongs to, while its conference has not ended. */
export interface TokenHolder {
  participantId: string;
  role: Role;
  conferenceId: string;
  applicationId: string;
}

/** What a call on a conference is about, read in one round trip. */
export interface CallScope {
  conference: ConferenceEntity;
  /** The participant the call's path names, if it names one of the conference's. */
  participant: ParticipantEntity | null;
  /** The conference's participant whose token the caller presented, if it is one of them. */
  holder: Pick<TokenHolder, 'participantId' | 'role'> | null;
}

const PARTICIPANT = 'participant.';
const HOLDER = 'holder.';

/** The reads (nearly) every API call makes, as prepared statements returning entities. */
@Injectable()
export class HotReads {
  private scopeSql?: string;

  constructor(private readonly statements: PreparedStatements) {}

  /**
   * The conference if it belongs to the application, with the participant named by `participantId`
   * and the holder of a participant token, each when it is one of the conference's.
   */
  async scope(
    conferenceId: string,
    applicationId: string,
    participantId: string | null,
    tokenDigest: Buffer | null,
  ): Promise<CallScope | null> {
    this.scopeSql ??= `
      SELECT ${this.statements.columnsOf(ConferenceEntity, 'c')},
             ${this.statements.columnsOf(ParticipantEntity, 'p', PARTICIPANT)},
             h.id AS "${HOLDER}participantId", h.role AS "${HOLDER}role"
        FROM conference c
        LEFT JOIN participant p ON p.id = $3 AND p.conference_id = c.id
        LEFT JOIN participant h ON h.token_hash = $4 AND h.conference_id = c.id
       WHERE c.id = $1 AND c.application_id = $2`;
    const [row] = await this.statements.run<Record<string, unknown>>('hot_scope', this.scopeSql, [
      conferenceId,
      applicationId,
      participantId,
      tokenDigest,
    ]);
    if (!row) return null;
    const participant = pick(row, PARTICIPANT) as unknown as ParticipantEntity;
    const holder = pick(row, HOLDER) as unknown as CallScope['holder'] & object;
    return {
      conference: row as unknown as ConferenceEntity,
      participant: participant.id ? participant : null,
      holder: holder.participantId ? holder : null,
    };
  }

  async tokenHolder(tokenDigest: Buffer): Promise<TokenHolder | null> {
    const [row] = await this.statements.run<TokenHolder>(
      'hot_token_holder',
      `SELECT p.id AS "participantId", p.role, p.conference_id AS "conferenceId",
              c.application_id AS "applicationId"
         FROM participant p JOIN conference c ON c.id = p.conference_id
        WHERE p.token_hash = $1 AND c.ended_at IS NULL`,
      [tokenDigest],
    );
    return row ?? null;
  }
}

/** Moves the row's fields named `prefix…` into an object of their own. */
function pick(row: Record<string, unknown>, prefix: string): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    if (!key.startsWith(prefix)) continue;
    picked[key.slice(prefix.length)] = row[key];
    delete row[key];
  }
  return picked;
}
