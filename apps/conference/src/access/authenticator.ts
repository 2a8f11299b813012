import { Injectable } from '@nestjs/common';
import { digestMatches, isTokenDigest, type Principal } from '@mind/auth';
import { HotReads, type CallScope } from '../database/hot-reads';
import { ApplicationTokenCache } from './application-token-cache';

/** Who calls on a conference, and what the call is about (null when the conference is not the application's). */
export interface ResolvedCall {
  principal: Principal | null;
  scope: CallScope | null;
}

/** Turns a bearer token's digest into who is calling, or null when the token is not valid here. */
@Injectable()
export class Authenticator {
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
   * digest is cached) or one of the conference's participants'.
   */
  async resolveCall(
    tokenDigest: string,
    applicationId: string,
    conferenceId: string,
    participantId: string | null,
  ): Promise<ResolvedCall> {
    if (!isTokenDigest(tokenDigest)) return { principal: null, scope: null };
    const application = await this.isApplicationToken(tokenDigest, applicationId);
    const digest = application ? null : Buffer.from(tokenDigest, 'hex');
    const scope = await this.reads.scope(conferenceId, applicationId, participantId, digest);
    if (application) return { principal: { kind: 'application', applicationId }, scope };
    if (scope?.holder && !scope.conference.endedAt) {
      return { principal: { kind: 'participant', ...scope.holder, conferenceId, applicationId }, scope };
    }
    // Another conference's token, or nobody's: who it belongs to, if anyone, decides 404 or 401.
    return { principal: await this.participant(tokenDigest), scope };
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
