import { Injectable } from '@nestjs/common';
import { digestMatches, isTokenDigest, type Principal } from '@mind/auth';
import { HotReads, type CallScope } from '../database/hot-reads';
import { ApplicationTokenCache } from './application-token-cache';

/** Who calls on a conference, and what the call is about (null when the conference is not the application's). */
export interface ResolvedCall {
  principal: Principal | null;
  scope: CallScope | null;
}

/** Participants' token digests remembered at most (then forgotten all at once, as they come again). */
const MAX_REMEMBERED = 10_000;

type ParticipantPrincipal = Extract<Principal, { kind: 'participant' }>;

/** Turns a bearer token's digest into who is calling, or null when the token is not valid here. */
@Injectable()
export class Authenticator {
  /** Participants by token digest, as last read: what they were, which a caller must check still holds. */
  private readonly participants = new Map<string, ParticipantPrincipal>();

  constructor(
    private readonly reads: HotReads,
    private readonly applications: ApplicationTokenCache,
  ) {}

  async resolve(tokenDigest: string, applicationId: string): Promise<Principal | null> {
    if (!isTokenDigest(tokenDigest)) return null;
    if (await this.isApplicationToken(tokenDigest, applicationId))
      return { kind: 'application', applicationId };
    return this.participant(tokenDigest);
  }

  /**
   * `resolve` and the call's scope together, in one read when the token is the application's (its
   * digest is cached) or one of the conference's participants'; none for a call that only reads (its
   * scope shared) when the same call was resolved since the conference last changed.
   */
  async resolveCall(
    tokenDigest: string,
    applicationId: string,
    conferenceId: string,
    participantId: string | null,
    readOnly = false,
  ): Promise<ResolvedCall> {
    if (!isTokenDigest(tokenDigest)) return { principal: null, scope: null };
    const application = await this.isApplicationToken(tokenDigest, applicationId);
    const digest = application ? null : Buffer.from(tokenDigest, 'hex');
    const scope = readOnly
      ? await this.reads.sharedScope(conferenceId, applicationId, participantId, digest)
      : await this.reads.scope(conferenceId, applicationId, participantId, digest);
    if (application) return { principal: { kind: 'application', applicationId }, scope };
    if (scope?.holder && !scope.conference.endedAt) {
      const principal = { kind: 'participant' as const, ...scope.holder, conferenceId, applicationId };
      this.remember(tokenDigest, principal);
      return { principal, scope };
    }
    // Another conference's token, or nobody's: who it belongs to, if anyone, decides 404 or 401.
    return { principal: await this.participant(tokenDigest), scope };
  }

  /**
   * Who a token's holder was the last time this instance read it, without reading the database: the
   * application (its cached digest), or a participant of this conference. Only for a call whose own
   * statement checks that it still holds (the participant's token and role, the conference's end).
   */
  async presumedCaller(
    tokenDigest: string,
    applicationId: string,
    conferenceId: string,
  ): Promise<Principal | null> {
    if (!isTokenDigest(tokenDigest)) return null;
    if (await this.isApplicationToken(tokenDigest, applicationId))
      return { kind: 'application', applicationId };
    const known = this.participants.get(tokenDigest);
    return known?.applicationId === applicationId && known.conferenceId === conferenceId ? known : null;
  }

  private remember(tokenDigest: string, principal: ParticipantPrincipal) {
    if (this.participants.size >= MAX_REMEMBERED) this.participants.clear();
    this.participants.set(tokenDigest, principal);
  }

  private async isApplicationToken(tokenDigest: string, applicationId: string): Promise<boolean> {
    const stored = await this.applications.tokenHash(applicationId);
    return stored !== null && digestMatches(tokenDigest, stored);
  }

  /** A participant token is valid while its participant exists and its conference has not ended. */
  private async participant(tokenDigest: string): Promise<Principal | null> {
    const holder = await this.reads.tokenHolder(Buffer.from(tokenDigest, 'hex'));
    return holder ? { kind: 'participant', ...holder } : null;
  }
}
