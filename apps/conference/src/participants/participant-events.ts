import type { ResourceChangedEvent } from '@mind/contracts';
import type { ParticipantEntity } from '../database/entities';
import { toParticipant } from '../representations';
import { resourceChanged, type EventScope } from '../api/context';

/**
 * The event of a participant created, changed or removed. A removal expels it (its session gets
 * "4001"); every event names the participant, who is never told it is offline or gone.
 */
export function participantChanged(
  scope: EventScope,
  participant: ParticipantEntity,
  type: 'created' | 'updated' | 'deleted',
): Omit<ResourceChangedEvent, 'seq' | 'at'> {
  const location = `/participants/${participant.id}`;
  return type === 'deleted'
    ? resourceChanged(scope, { type, location }, { participantId: participant.id, expelled: true })
    : resourceChanged(
        scope,
        { type, location, resource: toParticipant(participant) },
        { participantId: participant.id },
      );
}
