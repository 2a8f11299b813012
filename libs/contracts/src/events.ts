/** Who made a change: decides who is notified (nobody hears about their own API calls). */
export type Actor =
  { kind: 'application'; id: string } | { kind: 'participant'; id: string } | { kind: 'platform' };

/** The notification envelope, as sent on the application WebSocket and participants' data channels. */
export interface Notification {
  type: 'created' | 'updated' | 'deleted';
  /** Relative to the conference: `/`, `/participants/{id}`, `/messages/{id}`, `/streamings/{id}`, ... */
  location: string;
  resource?: unknown;
}

interface EventBase {
  /** Commit order within the whole platform; strictly increasing per conference. */
  seq: number;
  conferenceId: string;
  applicationId: string;
  actor: Actor;
  /** Epoch milliseconds of the commit. */
  at: number;
  traceId?: string;
}

/** A resource of the conference was created, changed or removed. */
export interface ResourceChangedEvent extends EventBase {
  kind: 'resource';
  notification: Notification;
  /** Set when the resource is a participant: who it is about (never told it is offline or deleted). */
  participantId?: string;
  /** Set when a participant was removed: its session must be closed with "4001". */
  expelled?: boolean;
}

/** A message was sent; `sentTo` is a participant id, the application id or the conference id. */
export interface MessageSentEvent extends EventBase {
  kind: 'message';
  notification: Notification;
  sentTo: string;
  sentBy: string;
}

/** The conference is over: sessions get "4000", the application socket is closed with 4000. */
export interface ConferenceEndedEvent extends EventBase {
  kind: 'ended';
  reason: 'deleted' | 'expired';
}

export type ConferenceEvent = ResourceChangedEvent | MessageSentEvent | ConferenceEndedEvent;
export type ConferenceEventInput =
  | Omit<ResourceChangedEvent, 'seq' | 'at'>
  | Omit<MessageSentEvent, 'seq' | 'at'>
  | Omit<ConferenceEndedEvent, 'seq' | 'at'>;
