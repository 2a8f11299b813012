import { notificationOf, participantOf, type ConferenceEvent, type Notification } from './events';
import type { ParticipantId } from './ids';

/**
 * The notification the application's WebSocket gets for an event, or null. The application hears about
 * every change made by participants or by the platform, about messages addressed to it or to
 * everyone, about live transcription's utterances and phones' keys, never about its own API calls.
 */
export function notificationForApplication(event: ConferenceEvent): Notification | null {
  if (event.kind === 'ended' || event.actor.kind === 'application') return null;
  if (event.kind === 'message') {
    const { sentTo } = event.message;
    return sentTo === event.applicationId || sentTo === event.conferenceId ? notificationOf(event) : null;
  }
  return notificationOf(event);
}

/**
 * The notification a participant's data channel gets for an event, or null. A participant hears about
 * every change it did not make itself and about messages addressed to it or to everyone, and is never
 * told that it went offline or was deleted (its expulsion is the "4001" frame instead). Streamings and
 * utterances are the application's business only.
 */
export function notificationForParticipant(
  event: ConferenceEvent,
  participantId: ParticipantId,
): Notification | null {
  // The SDK has no handler for utterances or keys: they are the application's.
  if (event.kind === 'ended' || event.kind === 'utterance' || event.kind === 'dtmf') return null;
  if (event.actor.kind === 'participant' && event.actor.id === participantId) return null;
  if (event.kind === 'message') {
    const { sentTo } = event.message;
    return sentTo === participantId || sentTo === event.conferenceId ? notificationOf(event) : null;
  }
  const { change } = event;
  if (change.resource === 'streaming') return null;
  if (participantOf(change) === participantId) {
    if (change.type === 'deleted') return null;
    if (change.resource === 'participant' && !change.participant.online) return null;
  }
  return notificationOf(event);
}
