import type { ConferenceEvent, Notification } from './events';

/**
 * The notification the application's WebSocket gets for an event, or null. The application hears about
 * every change made by participants or by the platform, and about messages addressed to it or to
 * everyone, never about its own API calls.
 */
export function notificationForApplication(event: ConferenceEvent): Notification | null {
  if (event.kind === 'ended' || event.actor.kind === 'application') return null;
  if (event.kind === 'message') {
    const addressed = event.sentTo === event.applicationId || event.sentTo === event.conferenceId;
    return addressed ? event.notification : null;
  }
  return event.notification;
}

/**
 * The notification a participant's data channel gets for an event, or null. A participant hears about
 * every change it did not make itself and about messages addressed to it or to everyone, and is never
 * told that it went offline or was deleted (its expulsion is the "4001" frame instead). Streamings are
 * the application's business only: participants cannot even read them.
 */
export function notificationForParticipant(
  event: ConferenceEvent,
  participantId: string,
): Notification | null {
  if (event.kind === 'ended') return null;
  if (event.actor.kind === 'participant' && event.actor.id === participantId) return null;
  if (event.notification.location.startsWith('/streamings/')) return null;
  if (event.kind === 'message') {
    const addressed = event.sentTo === participantId || event.sentTo === event.conferenceId;
    return addressed ? event.notification : null;
  }
  if (event.participantId === participantId) {
    const { type, resource } = event.notification;
    if (type === 'deleted') return null;
    if (type === 'updated' && (resource as { online?: boolean } | undefined)?.online === false) return null;
  }
  return event.notification;
}
