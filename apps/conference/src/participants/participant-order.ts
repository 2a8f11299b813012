import type { Principal } from '@mind/auth';

/** Participants in joining order, except that a participant caller always comes first (the SDK relies on it). */
export function orderForCaller<T extends { id: string }>(participants: T[], principal: Principal): T[] {
  if (principal.kind !== 'participant') return participants;
  const self = participants.find((p) => p.id === principal.participantId);
  return self ? [self, ...participants.filter((p) => p !== self)] : participants;
}
