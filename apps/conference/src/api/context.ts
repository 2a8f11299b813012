import type { Principal } from '@mind/auth';
import type { Actor, ApiCommand, ApiReply, EventScope } from '@mind/contracts';
import type { ConferenceEntity, ParticipantEntity } from '../database/entities';

/** An authenticated call on the application level (only conference creation). */
export interface ApplicationCallContext {
  command: ApiCommand;
  principal: Principal;
  actor: Actor;
}

/** An authenticated, authorised call on a conference that exists and belongs to the caller's application. */
export interface CallContext extends ApplicationCallContext {
  conference: ConferenceEntity;
  /** The participant the path names (`participantId`), read with the conference; null when it names none of it. */
  participant: ParticipantEntity | null;
}

export type OperationHandler = (ctx: CallContext) => Promise<ApiReply>;

export const ok = (body: unknown = {}): ApiReply => ({ status: 200, body });

export const actorOf = (principal: Principal): Actor =>
  principal.kind === 'application'
    ? { kind: 'application', id: principal.applicationId }
    : { kind: 'participant', id: principal.participantId };

/** The id that stands for the caller in `sentBy`. */
export const callerId = (principal: Principal): string =>
  principal.kind === 'application' ? principal.applicationId : principal.participantId;

export const scopeOf = (ctx: CallContext): EventScope => ({
  conferenceId: ctx.conference.id,
  applicationId: ctx.conference.applicationId,
  actor: ctx.actor,
  traceId: ctx.command.traceId,
});
