import { Injectable } from '@nestjs/common';
import type { Role } from '@mind/contracts';
import { DatabaseChanges, NotifiedCache } from './database-changes';
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
/** Where the database announces changed conferences and participants (see the ScopeChanges migration). */
const SCOPE_CHANGED = 'scope_changed';

/** The reads (nearly) every API call makes, as prepared statements returning entities. */
@Injectable()
export class HotReads {
  private scopeSql?: string;
  /** Scopes of read-only calls, by conference: kept until the database announces a change to it. */
  private readonly scopes: NotifiedCache<CallScope>;

  constructor(
    private readonly statements: PreparedStatements,
    changes: DatabaseChanges,
  ) {
    this.scopes = new NotifiedCache(changes, SCOPE_CHANGED);
  }

  /**
   * `scope`, kept for the next call with the same conference, application, participant and token
   * until the conference or one of its participants changes: for calls that only read it (the scope's
   * entities are shared, and frozen). A change made on another instance is seen here when the
   * database's announcement arrives, as a read in flight at that moment would have seen it.
   */
  async sharedScope(
    conferenceId: string,
    applicationId: string,
    participantId: string | null,
    tokenDigest: Buffer | null,
  ): Promise<CallScope | null> {
    const key = `${applicationId}/${participantId ?? ''}/${tokenDigest?.toString('hex') ?? ''}`;
    return this.scopes.get(conferenceId, key, async () => {
      const scope = await this.scope(conferenceId, applicationId, participantId, tokenDigest);
      if (!scope) return null;
      Object.freeze(scope.conference);
      if (scope.participant) Object.freeze(scope.participant);
      if (scope.holder) Object.freeze(scope.holder);
      return Object.freeze(scope);
    });
  }

  /**
   * A change this instance committed to the conference or its participants: its shared scopes go now,
   * so that this instance's next read sees the change even before the database's announcement arrives.
   */
  changed(conferenceId: string): void {
    this.scopes.forget(conferenceId);
  }

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
