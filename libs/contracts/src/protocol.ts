import type { ConferenceEvent } from './events';
import type { ConferenceId, NodeId, ParticipantId, TranscriberId } from './ids';
import type {
  MediaNodeHeartbeat,
  PresenceReply,
  PresenceReport,
  RosterReply,
  RosterRequest,
  SessionOfferReply,
  SessionOfferRequest,
  StreamingAliveReply,
  StreamingAliveReport,
  MediaPipeReply,
  MediaPipeRequest,
  PipedStream,
  PipedStreamReply,
  PipedStreamState,
} from './media';
import type { OperationId } from './operations';
import type {
  StopTranscribingReply,
  StopTranscribingRequest,
  TranscribeReply,
  TranscribeRequest,
  TranscriberHeartbeat,
  UtteranceReply,
  UtteranceReport,
} from './transcription';
import type {
  FinaliseRecordingJob,
  LastSegmentCheckJob,
  RecordingTranscriptJob,
  RecordingFinalisedReply,
  RecordingFinalisedReport,
  RecordingSegmentReply,
  RecordingSegmentReport,
} from './recording';
import type {
  PhoneLegCloseReply,
  PhoneLegCloseRequest,
  PhoneLegReply,
  PhoneLegRequest,
  SipCallCommand,
  SipCallReply,
  SipDialReply,
  SipDialRequest,
  SipDtmfReply,
  SipDtmfReport,
  SipGatewayHeartbeat,
} from './sip';
import type {
  AddressBlocked,
  ApiCommand,
  ApiReply,
  SocketAuthReply,
  SocketAuthRequest,
  SocketOpened,
} from './rpc';

/**
 * The internal protocol of the platform: every request/reply subject, event subject and job queue,
 * with its payload types and who is at each end. Services reach NATS only through the typed helpers
 * of `@mind/messaging` that take these definitions, and each app's README card is generated from here.
 */
export const SERVICE_NAMES = [
  'gateway',
  'conference',
  'notifier',
  'media',
  'recording',
  'transcription',
  'sip',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * A request/reply subject. `subject` is relative to the deployment's prefix; `{key}` stands for the
 * part chosen per request (an operation, a node). `fault` is the reply to a request whose handler
 * failed: the caller sees a temporary failure, never a wrong answer.
 */
export interface RpcDefinition<Request, Reply, Key extends string = never> {
  subject: string;
  servedBy: ServiceName;
  calledBy: readonly ServiceName[];
  summary: string;
  fault: Reply;
  /** Carries the types only; never set. */
  readonly types?: { request: Request; reply: Reply; key: Key };
}

/**
 * An event subject. `stream`: kept in the JetStream stream and followed in order (a follower that
 * reconnects misses nothing); `broadcast`: core NATS, heard only by who listens at the time.
 */
export interface EventDefinition<Payload, Key extends string = never> {
  subject: string;
  delivery: 'stream' | 'broadcast';
  emittedBy: readonly ServiceName[];
  followedBy: readonly ServiceName[];
  summary: string;
  readonly types?: { payload: Payload; key: Key };
}

/** A BullMQ queue (its Redis keys carry the deployment's prefix). */
export interface QueueDefinition<Job> {
  name: string;
  fedBy: readonly ServiceName[];
  workedBy: readonly ServiceName[];
  summary: string;
  readonly types?: { job: Job };
}

export type AnyRpc = RpcDefinition<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type AnyEvent = EventDefinition<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type RequestOf<R> = R extends RpcDefinition<infer Q, any, any> ? Q : never; // eslint-disable-line @typescript-eslint/no-explicit-any
export type ReplyOf<R> = R extends RpcDefinition<any, infer P, any> ? P : never; // eslint-disable-line @typescript-eslint/no-explicit-any
export type PayloadOf<E> = E extends EventDefinition<infer P, any> ? P : never; // eslint-disable-line @typescript-eslint/no-explicit-any
export type JobOf<Q> = Q extends QueueDefinition<infer J> ? J : never;
/** The key a keyed subject needs, as a rest parameter: `[key]` for keyed subjects, `[]` otherwise. */
export type KeyArgs<D> = D extends { readonly types?: { key: infer K } }
  ? [K] extends [never]
    ? []
    : [key: K]
  : [];

const rpc =
  <Request, Reply, Key extends string = never>() =>
  (definition: Omit<RpcDefinition<Request, Reply, Key>, 'types'>): RpcDefinition<Request, Reply, Key> =>
    definition;
const event =
  <Payload, Key extends string = never>() =>
  (definition: Omit<EventDefinition<Payload, Key>, 'types'>): EventDefinition<Payload, Key> =>
    definition;
const queue =
  <Job>() =>
  (definition: Omit<QueueDefinition<Job>, 'types'>): QueueDefinition<Job> =>
    definition;

export const RPC = {
  api: rpc<ApiCommand, ApiReply, OperationId>()({
    subject: 'api.{key}',
    servedBy: 'conference',
    calledBy: ['gateway'],
    summary: 'one call of the public REST API; one subject per operation id',
    fault: { status: 500, body: { error: 'internal error' } },
  }),
  socketAuth: rpc<SocketAuthRequest, SocketAuthReply>()({
    subject: 'auth.socket',
    servedBy: 'conference',
    calledBy: ['notifier'],
    summary: 'may this token open the application WebSocket of this conference?',
    fault: { status: 503, error: 'the conference service failed, please retry' },
  }),
  sessionOffer: rpc<SessionOfferRequest, SessionOfferReply, NodeId>()({
    subject: 'media.{key}.session',
    servedBy: 'media',
    calledBy: ['conference'],
    summary: "a participant's SDP offer, to the media node hosting its conference (key: node id)",
    fault: { status: 503, error: 'the media node failed to handle the offer' },
  }),
  presence: rpc<PresenceReport, PresenceReply>()({
    subject: 'media.presence',
    servedBy: 'conference',
    calledBy: ['media', 'sip'],
    summary: "a participant's session (WebRTC or phone line): online, and what it sends",
    fault: { status: 503 },
  }),
  roster: rpc<RosterRequest, RosterReply>()({
    subject: 'media.roster',
    servedBy: 'conference',
    calledBy: ['media'],
    summary: "a conference's layout, recording flag, participants and streamings, for its room",
    fault: { status: 503 },
  }),
  streamingAlive: rpc<StreamingAliveReport, StreamingAliveReply>()({
    subject: 'media.streaming-alive',
    servedBy: 'conference',
    calledBy: ['media'],
    summary: "a streaming's push started or stopped flowing",
    fault: { status: 503 },
  }),
  segmentStored: rpc<RecordingSegmentReport, RecordingSegmentReply>()({
    subject: 'recording.segment',
    servedBy: 'conference',
    calledBy: ['media'],
    summary: 'a recorded segment is in storage (the conference service queues its recording)',
    fault: { status: 503 },
  }),
  recordingFinalised: rpc<RecordingFinalisedReport, RecordingFinalisedReply>()({
    subject: 'recording.finalised',
    servedBy: 'conference',
    calledBy: ['recording'],
    summary: 'the recording of the first n segments is stored',
    fault: { status: 503 },
  }),
  transcribe: rpc<TranscribeRequest, TranscribeReply, TranscriberId>()({
    subject: 'transcription.{key}.transcribe',
    servedBy: 'transcription',
    calledBy: ['media'],
    summary: "transcribe a participant's voice, which the media node sends as RTP (key: transcriber id)",
    fault: { status: 503, error: 'the transcriber failed to open the stream' },
  }),
  stopTranscribing: rpc<StopTranscribingRequest, StopTranscribingReply, TranscriberId>()({
    subject: 'transcription.{key}.stop',
    servedBy: 'transcription',
    calledBy: ['media'],
    summary: 'a voice stream ends; its last utterance is finished (key: transcriber id)',
    fault: { status: 503 },
  }),
  utterance: rpc<UtteranceReport, UtteranceReply>()({
    subject: 'transcription.utterance',
    servedBy: 'conference',
    calledBy: ['transcription'],
    summary: 'a participant said something: stored, and notified while live transcription is started',
    fault: { status: 503 },
  }),
  sipDial: rpc<SipDialRequest, SipDialReply>()({
    subject: 'sip.dial',
    servedBy: 'sip',
    calledBy: ['conference'],
    summary: 'call a phone for a participant; the reply says how the call went (answered, busy, ...)',
    fault: { status: 503, error: 'the SIP gateway failed to place the call' },
  }),
  sipCall: rpc<SipCallCommand, SipCallReply, ParticipantId>()({
    subject: 'sip.call.{key}',
    servedBy: 'sip',
    calledBy: ['conference'],
    summary: "hang up or forward a participant's call, on the gateway holding it (key: participant id)",
    fault: { status: 503, error: 'the SIP gateway failed' },
  }),
  sipDtmf: rpc<SipDtmfReport, SipDtmfReply>()({
    subject: 'sip.dtmf',
    servedBy: 'conference',
    calledBy: ['sip'],
    summary: "a phone line's phone sent a key: notified to the application",
    fault: { status: 503 },
  }),
  phoneLeg: rpc<PhoneLegRequest, PhoneLegReply, NodeId>()({
    subject: 'media.{key}.phone-leg',
    servedBy: 'media',
    calledBy: ['sip'],
    summary: "bridge a phone line's audio into its conference (key: node id)",
    fault: { status: 503, error: 'the media node failed to open the phone leg' },
  }),
  mediaPipe: rpc<MediaPipeRequest, MediaPipeReply, NodeId>()({
    subject: 'media.{key}.pipe',
    servedBy: 'media',
    calledBy: ['media'],
    summary: 'open a pipe for a conference spread over several nodes, to the node of the key',
    fault: { status: 503, error: 'the media node failed to open the pipe' },
  }),
  pipedStream: rpc<PipedStream, PipedStreamReply, NodeId>()({
    subject: 'media.{key}.piped-stream',
    servedBy: 'media',
    calledBy: ['media'],
    summary: "a publisher's stream arrives over a conference's pipe: produce it on the node of the key",
    fault: { status: 404, error: 'the media node failed to take the stream' },
  }),
  pipedStreamState: rpc<PipedStreamState, PipedStreamReply, NodeId>()({
    subject: 'media.{key}.piped-stream-state',
    servedBy: 'media',
    calledBy: ['media'],
    summary: 'a piped stream paused, resumed or ended at its source (key: the receiving node)',
    fault: { status: 404, error: 'the media node failed to update the stream' },
  }),
  phoneLegClose: rpc<PhoneLegCloseRequest, PhoneLegCloseReply, NodeId>()({
    subject: 'media.{key}.phone-leg-close',
    servedBy: 'media',
    calledBy: ['sip'],
    summary: "a phone line's call ended (key: node id)",
    fault: { status: 200 },
  }),
} as const;

export const EVENT = {
  conference: event<ConferenceEvent, ConferenceId>()({
    subject: 'events.{key}',
    delivery: 'stream',
    emittedBy: ['conference'],
    followedBy: ['notifier', 'media', 'sip'],
    summary: "a conference's changes, messages and end, in commit order (key: conference id)",
  }),
  socketOpened: event<SocketOpened>()({
    subject: 'notifier.socket-opened',
    delivery: 'broadcast',
    emittedBy: ['notifier'],
    followedBy: ['notifier'],
    summary: 'a notifier accepted an application socket; the others close older ones with 4001',
  }),
  addressBlocked: event<AddressBlocked>()({
    subject: 'gateway.address-blocked',
    delivery: 'broadcast',
    // The conference service serves the API too when MIND_CONFERENCE_API_PORT is set.
    emittedBy: ['gateway', 'conference'],
    followedBy: ['gateway', 'conference'],
    summary: 'an address failed to authenticate too often; every server of the API refuses it for a while',
  }),
  mediaHeartbeat: event<MediaNodeHeartbeat>()({
    subject: 'media.heartbeat',
    delivery: 'broadcast',
    emittedBy: ['media'],
    followedBy: ['conference', 'transcription'],
    summary: 'a media node is up, with its load (silence means it is gone)',
  }),
  transcriberHeartbeat: event<TranscriberHeartbeat>()({
    subject: 'transcription.heartbeat',
    delivery: 'broadcast',
    emittedBy: ['transcription'],
    followedBy: ['media'],
    summary: 'a transcriber is up, with its languages and load (silence means it is gone)',
  }),
  sipHeartbeat: event<SipGatewayHeartbeat>()({
    subject: 'sip.heartbeat',
    delivery: 'broadcast',
    emittedBy: ['sip'],
    followedBy: ['conference'],
    summary: 'a SIP gateway is up, with its calls (silence means it is gone, and its phone lines with it)',
  }),
} as const;

export const QUEUE = {
  recording: queue<FinaliseRecordingJob>()({
    name: 'recording',
    fedBy: ['conference'],
    workedBy: ['recording'],
    summary: 'make the recording of the segments stored so far: MP4, JPEG thumbnail, WebP preview',
  }),
  lastSegmentCheck: queue<LastSegmentCheckJob>()({
    name: 'recording-last-segment',
    fedBy: ['conference'],
    workedBy: ['conference'],
    summary: "a grace period after a stop: make the recording if no node reported the stop's segment",
  }),
  transcripts: queue<RecordingTranscriptJob>()({
    name: 'transcripts',
    fedBy: ['conference'],
    workedBy: ['conference'],
    summary: "a recording is made: once its voices' last utterances are in, keep its transcript",
  }),
} as const;

/** The NATS subject of a definition under a deployment's prefix, for one key. */
export function subjectOf<D extends AnyRpc | AnyEvent>(
  prefix: string,
  definition: D,
  ...key: KeyArgs<D>
): string {
  const [part] = key as string[];
  return `${prefix}.${part === undefined ? definition.subject : definition.subject.replace('{key}', part)}`;
}

/** Every subject of a keyed definition (`>` for a trailing key, `*` inside). */
export function wildcardOf(prefix: string, definition: AnyRpc | AnyEvent): string {
  const subject = definition.subject.endsWith('.{key}')
    ? definition.subject.replace('{key}', '>')
    : definition.subject.replace('{key}', '*');
  return `${prefix}.${subject}`;
}

/** JetStream stream that keeps the `stream` events (for followers that reconnect or start late). */
export const eventStreamName = (prefix: string) =>
  `${prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`;
