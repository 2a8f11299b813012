import type { Layout } from './enums';
import type {
  ApplicationId,
  ConferenceId,
  NodeId,
  ParticipantId,
  SessionId,
  StreamingId,
  TraceId,
} from './ids';
import type { Media, ParticipantResource, StreamingResource } from './resources';

/** A media node announces itself every few seconds; silence means it is gone. */
export interface MediaNodeHeartbeat {
  nodeId: NodeId;
  /** Changes when the process restarts: sessions of the previous incarnation are gone. */
  incarnation: string;
  load: { conferences: number; sessions: number; workers: number };
  at: number;
  /** On the last heartbeat of a node that is shutting down: it is gone now, not after a timeout. */
  leaving?: boolean;
}

export const MEDIA_HEARTBEAT_MS = 2000;
/** A node not heard of for this long is considered dead. */
export const MEDIA_NODE_TIMEOUT_MS = 6000;

/** Conference service → the media node hosting the participant's session: its SDP offer. */
export interface SessionOfferRequest {
  applicationId: ApplicationId;
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  sdp: string;
  /**
   * Whether this node is the conference's home: the one that records, streams, transcribes and
   * bridges phone lines. A conference larger than a node's share has sessions on other nodes too.
   */
  home: boolean;
  /** The other nodes holding sessions of the conference, whose publishers this node must receive. */
  peers: NodeId[];
  traceId: TraceId;
}

export type SessionOfferReply = { status: 200; sdp: string } | { status: 400 | 429 | 503; error: string };

/**
 * Media node → another node of the same conference: join the conference's media over a pipe
 * (mediasoup PipeTransport, RTP over UDP between nodes). Each side sends the other what its own
 * participants publish.
 */
export interface MediaPipeRequest {
  conferenceId: ConferenceId;
  fromNodeId: NodeId;
  /** The caller's end of the pipe. */
  ip: string;
  port: number;
}

export type MediaPipeReply =
  { status: 200; ip: string; port: number } | { status: 404 | 409 | 503; error: string };

/** A publisher's stream sent over a conference's pipe: produce it there with the same id. */
export interface PipedStream {
  conferenceId: ConferenceId;
  fromNodeId: NodeId;
  /** The stream's key in the room: `<participant id>#primary|secondary`. */
  key: string;
  producerId: string;
  kind: 'audio' | 'video';
  /** mediasoup RtpParameters of the pipe consumer (JSON). */
  rtpParameters: Record<string, unknown>;
  paused: boolean;
}

/** A piped stream paused, resumed or ended at its source. */
export interface PipedStreamState {
  conferenceId: ConferenceId;
  fromNodeId: NodeId;
  producerId: string;
  state: 'paused' | 'resumed' | 'closed';
}

export type PipedStreamReply = { status: 200 } | { status: 404; error: string };

/** Media node → conference service: what a participant's session currently is. */
export interface PresenceReport {
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  /** Identifies the WebRTC session (its ICE ufrag); a replaced session cannot take a newer one offline. */
  sessionId: SessionId;
  online: boolean;
  media: Media;
  secondaryMedia: Media;
}

/** 404: the participant or its conference is gone (the node closes the session); 503: try again. */
export interface PresenceReply {
  status: 200 | 404 | 503;
}

/** Media node → conference service: who is in a conference, for its mixer (later changes come as events). */
export interface RosterRequest {
  conferenceId: ConferenceId;
}

export type RosterReply =
  | {
      status: 200;
      layout: Layout;
      recording: boolean;
      /** Live transcription started. */
      transcription: boolean;
      participants: ParticipantResource[];
      streamings: StreamingResource[];
    }
  | { status: 404 | 503 };

/** Media node → conference service: whether a streaming's push is flowing now. */
export interface StreamingAliveReport {
  conferenceId: ConferenceId;
  streamingId: StreamingId;
  alive: boolean;
}

/** 404: the streaming or its conference is gone. */
export interface StreamingAliveReply {
  status: 200 | 404 | 503;
}
