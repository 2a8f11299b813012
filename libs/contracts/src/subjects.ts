import type { OperationId } from './operations';

/**
 * NATS subjects, all under one configurable prefix so that several deployments (or a test run next
 * to a dev platform) can share a NATS server.
 */
export function subjects(prefix: string) {
  return {
    /** Request/reply: one subject per public API operation, served by the conference service. */
    api: (operation: OperationId) => `${prefix}.api.${operation}`,
    apiWildcard: `${prefix}.api.*`,
    /** Request/reply: may this token open the application WebSocket of a conference? */
    socketAuth: `${prefix}.auth.socket`,
    /** JetStream: domain events, one subject per conference. */
    events: (conferenceId: string) => `${prefix}.events.${conferenceId}`,
    eventsWildcard: `${prefix}.events.>`,
    /** Core pub/sub: a notifier accepted an application socket; others close older ones with 4001. */
    socketOpened: `${prefix}.notifier.socket-opened`,
    /** Core pub/sub: media nodes announce themselves and their load. */
    mediaHeartbeat: `${prefix}.media.heartbeat`,
    /** Request/reply: a participant's SDP offer, to the media node hosting its conference. */
    mediaSession: (nodeId: string) => `${prefix}.media.${nodeId}.session`,
    /** Request/reply: a media node reports a participant's presence and media flags. */
    mediaPresence: `${prefix}.media.presence`,
    /** Request/reply: a media node's mixer asks for a conference's layout and participants. */
    mediaRoster: `${prefix}.media.roster`,
    /** Request/reply: a media node's push to a streaming destination started or stopped flowing. */
    streamingAlive: `${prefix}.media.streaming-alive`,
    /** Request/reply: a media node stored a recorded segment. */
    recordingSegment: `${prefix}.recording.segment`,
    /** Request/reply: the recording worker stored a finalised recording. */
    recordingFinalised: `${prefix}.recording.finalised`,
  };
}
export type Subjects = ReturnType<typeof subjects>;

/** JetStream stream that keeps domain events (for consumers that reconnect or start late). */
export const eventStreamName = (prefix: string) =>
  `${prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`;

/** Close codes of the application WebSocket. */
export const SocketCloseCode = { conferenceEnded: 4000, replaced: 4001, tooSlow: 4002 } as const;
