import { OPERATIONS, type OperationId, type Role, type UpdateParticipantRequest } from '@mind/contracts';

export type Principal =
  | { kind: 'application'; applicationId: string }
  | { kind: 'participant'; applicationId: string; conferenceId: string; participantId: string; role: Role };

export type Decision = { allowed: true } | { allowed: false; error: string; field?: string };

const ALLOW: Decision = { allowed: true };
const deny = (error: string, field?: string): Decision => ({ allowed: false, error, field });

const EDITABLE_FIELDS: Record<keyof UpdateParticipantRequest, true> = {
  name: true,
  priority: true,
  role: true,
  layout: true,
  language: true,
};

/** Fields a participant who is neither moderator nor the application may change, on itself only. */
const SELF_EDITABLE: ReadonlyArray<keyof UpdateParticipantRequest> = ['name', 'layout', 'language'];

/**
 * Whether `principal` may run `operation` in its conference. Scoping (a participant acting only in its
 * own conference) is checked before, so this is only about roles.
 * `targetParticipantId` and `body` matter for the participant routes.
 */
export function authorize(
  operation: OperationId,
  principal: Principal,
  targetParticipantId?: string,
  body: Record<string, unknown> = {},
): Decision {
  const rule = OPERATIONS[operation].access;
  const isApp = principal.kind === 'application';
  const isModerator = principal.kind === 'participant' && principal.role === 'moderator';
  switch (rule) {
    case 'application':
      return isApp ? ALLOW : deny('only the application may do this');
    case 'application-or-participant':
      return ALLOW;
    case 'application-or-moderator':
      return isApp || isModerator ? ALLOW : deny('only the application or a moderator may do this');
    case 'participant-self':
      if (principal.kind !== 'participant')
        return deny('only a participant may (re)initiate its own session');
      return targetParticipantId === undefined || targetParticipantId === principal.participantId
        ? ALLOW
        : deny('a participant may only (re)initiate its own session');
    case 'participant-update': {
      if (isApp || isModerator) return ALLOW;
      if (principal.kind !== 'participant' || targetParticipantId !== principal.participantId) {
        return deny('only the application or a moderator may modify other participants');
      }
      const forbidden = Object.keys(body).find(
        (key) =>
          body[key] !== null &&
          body[key] !== undefined &&
          key in EDITABLE_FIELDS &&
          !SELF_EDITABLE.includes(key as keyof UpdateParticipantRequest),
      );
      return forbidden
        ? deny(`only the application or a moderator may change ${forbidden}`, forbidden)
        : ALLOW;
    }
  }
}
