import type { ApplicationId, ConferenceId, ParticipantId, StreamingId, TraceId } from './ids';
import type {
  ConferenceResource,
  DtmfResource,
  MessageResource,
  ParticipantResource,
  StreamingResource,
  TranscriptionState,
  UtteranceResource,
} from './resources';

/** Who made a change: decides who is notified (nobody hears about their own API calls). */
export type Actor =
  | { kind: 'application'; id: ApplicationId }
  | { kind: 'participant'; id: ParticipantId }
  | { kind: 'platform' };

/** The notification envelope, as sent on the application WebSocket and participants' data channels. */
export interface Notification {
  type: 'created' | 'updated' | 'deleted';
  /** Relative to the conference: `/`, `/participants/{id}`, `/messages/{id}`, `/streamings/{id}`, ... */
  location: string;
  resource?: unknown;
}

/** Where an event belongs and who caused it. */
export interface EventScope {
  conferenceId: ConferenceId;
  applicationId: ApplicationId;
  actor: Actor;
  traceId?: TraceId;
}

/**
 * What changed, as services read it (typed; the public notification is derived from it, never the
 * other way round). A deleted participant was expelled: its session is closed with "4001".
 */
export type ResourceChange =
  | { resource: 'conference'; type: 'created' | 'updated'; conference: ConferenceResource }
  | { resource: 'participant'; type: 'created' | 'updated'; participant: ParticipantResource }
  | { resource: 'participant'; type: 'deleted'; participantId: ParticipantId }
  | { resource: 'streaming'; type: 'created' | 'updated'; streaming: StreamingResource }
  | { resource: 'streaming'; type: 'deleted'; streamingId: StreamingId }
  | { resource: 'transcription'; type: 'updated'; transcription: TranscriptionState };

interface EventBase extends EventScope {
  /** Commit order within the whole platform; strictly increasing per conference. */
  seq: number;
  /** Epoch milliseconds of the commit. */
  at: number;
}

/** A resource of the conference was created, changed or removed. */
export interface ResourceChangedEvent extends EventBase {
  kind: 'resource';
  change: ResourceChange;
}

/** A message was sent; its `sentTo` is a participant id, the application id or the conference id. */
export interface MessageSentEvent extends EventBase {
  kind: 'message';
  message: MessageResource;
}

/** A participant's utterance, recognised while live transcription is started. */
export interface UtteranceRecognisedEvent extends EventBase {
  kind: 'utterance';
  utterance: UtteranceResource;
}

/** A participant's phone sent a key (DTMF). */
export interface DtmfReceivedEvent extends EventBase {
  kind: 'dtmf';
  dtmf: DtmfResource;
}

/** The conference is over: sessions get "4000", the application socket is closed with 4000. */
export interface ConferenceEndedEvent extends EventBase {
  kind: 'ended';
  reason: 'deleted' | 'expired';
}

export type ConferenceEvent =
  | ResourceChangedEvent
  | MessageSentEvent
  | UtteranceRecognisedEvent
  | DtmfReceivedEvent
  | ConferenceEndedEvent;

/** An event as a change emits it: the outbox numbers and dates it when the change commits. */
export type ConferenceEventInput =
  | Omit<ResourceChangedEvent, 'seq' | 'at'>
  | Omit<MessageSentEvent, 'seq' | 'at'>
  | Omit<UtteranceRecognisedEvent, 'seq' | 'at'>
  | Omit<DtmfReceivedEvent, 'seq' | 'at'>
  | Omit<ConferenceEndedEvent, 'seq' | 'at'>;

/** The one way to describe a change of a conference's resources. */
export const resourceChanged = (
  scope: EventScope,
  change: ResourceChange,
): Omit<ResourceChangedEvent, 'seq' | 'at'> => ({
  kind: 'resource',
  ...scope,
  change,
});

/** The one way to describe a message sent. */
export const messageSent = (
  scope: EventScope,
  message: MessageResource,
): Omit<MessageSentEvent, 'seq' | 'at'> => ({
  kind: 'message',
  ...scope,
  message,
});

/** The one way to describe an utterance of live transcription (the platform recognised it). */
export const utteranceRecognised = (
  scope: Omit<EventScope, 'actor'>,
  utterance: UtteranceResource,
): Omit<UtteranceRecognisedEvent, 'seq' | 'at'> => ({
  kind: 'utterance',
  ...scope,
  actor: { kind: 'platform' },
  utterance,
});

/** The one way to describe a key pressed on a participant's phone (the participant pressed it). */
export const dtmfReceived = (
  scope: Omit<EventScope, 'actor'>,
  dtmf: DtmfResource,
): Omit<DtmfReceivedEvent, 'seq' | 'at'> => ({
  kind: 'dtmf',
  ...scope,
  actor: { kind: 'participant', id: dtmf.participantId },
  dtmf,
});

/** The one way to describe the end of a conference (deleted through the API, or expired). */
export const conferenceEnded = (
  scope: EventScope,
  reason: ConferenceEndedEvent['reason'],
): Omit<ConferenceEndedEvent, 'seq' | 'at'> => ({ kind: 'ended', ...scope, reason });

/** The participant a change is about, if it is about one. */
export function participantOf(change: ResourceChange): ParticipantId | undefined {
  if (change.resource !== 'participant') return undefined;
  return change.type === 'deleted' ? change.participantId : change.participant.id;
}

/** The public notification of a change or a message. */
export function notificationOf(
  event:
    | Pick<ResourceChangedEvent, 'kind' | 'change'>
    | Pick<MessageSentEvent, 'kind' | 'message'>
    | Pick<UtteranceRecognisedEvent, 'kind' | 'utterance'>
    | Pick<DtmfReceivedEvent, 'kind' | 'dtmf'>,
): Notification {
  if (event.kind === 'dtmf') {
    return {
      type: 'created',
      location: `/participants/${event.dtmf.participantId}/dtmf`,
      resource: event.dtmf,
    };
  }
  if (event.kind === 'message') {
    return { type: 'created', location: `/messages/${event.message.id}`, resource: event.message };
  }
  if (event.kind === 'utterance') {
    const { utterance } = event;
    return { type: 'created', location: `/transcription/utterances/${utterance.id}`, resource: utterance };
  }
  const change = event.change;
  switch (change.resource) {
    case 'conference':
      return { type: change.type, location: '/', resource: change.conference };
    case 'participant':
      return change.type === 'deleted'
        ? { type: change.type, location: `/participants/${change.participantId}` }
        : {
            type: change.type,
            location: `/participants/${change.participant.id}`,
            resource: change.participant,
          };
    case 'streaming':
      return change.type === 'deleted'
        ? { type: change.type, location: `/streamings/${change.streamingId}` }
        : { type: change.type, location: `/streamings/${change.streaming.id}`, resource: change.streaming };
    case 'transcription':
      return { type: change.type, location: '/transcription', resource: change.transcription };
  }
}
