import { resourceChanged, type EventScope, type ResourceChangedEvent } from '@mind/contracts';
import type { ParticipantEntity } from '../database/entities';
import { toParticipant } from '../representations';

/**
 * The event of a participant created, changed or removed. A removal expels it (its session gets
 * "4001"); the participant is never told it is offline or gone.
 */
export function participantChanged(
  scope: EventScope,
  participant: ParticipantEntity,
  type: 'created' | 'updated' | 'deleted',
): Omit<ResourceChangedEvent, 'seq' | 'at'> {
  return resourceChanged(
    scope,
    type === 'deleted'
      ? { resource: 'participant', type, participantId: participant.id }
      : { resource: 'participant', type, participant: toParticipant(participant) },
  );
}
