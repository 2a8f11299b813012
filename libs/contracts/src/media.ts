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

/** Conference service → the media node hosting the conference: a participant's SDP offer. */
export interface SessionOfferRequest {
  applicationId: ApplicationId;
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  sdp: string;
  traceId: TraceId;
}

export type SessionOfferReply = { status: 200; sdp: string } | { status: 400 | 429 | 503; error: string };

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
