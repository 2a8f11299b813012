import type { Language } from './enums';
import type { ConferenceId, NodeId, ParticipantId, TraceId, TranscriberId, VoiceStreamId } from './ids';

/** A transcriber announces itself every second with its load; silence means it is gone. */
export interface TranscriberHeartbeat {
  transcriberId: TranscriberId;
  /** Changes when the process restarts: the streams of the previous incarnation are gone. */
  incarnation: string;
  /** The languages its engine has a model for. */
  languages: Language[];
  load: { streams: number; capacity: number };
  at: number;
  /** On the last heartbeat of a transcriber that is shutting down. */
  leaving?: boolean;
}

export const TRANSCRIBER_HEARTBEAT_MS = 1000;
/** A transcriber not heard of for this long is considered gone and its streams move elsewhere. */
export const TRANSCRIBER_TIMEOUT_MS = 3000;

/** Media node → transcriber: transcribe a participant's voice, which comes as RTP to the answered address. */
export interface TranscribeRequest {
  /** The media node that sends, and its incarnation: its streams end when it is gone. */
  nodeId: NodeId;
  incarnation: string;
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  language: Language;
  /** The RTP the media node will send: Opus, its payload type and channels. */
  codec: { payloadType: number; clockRate: number; channels: number };
  traceId: TraceId;
}

export type TranscribeReply =
  | { status: 200; streamId: VoiceStreamId; ip: string; port: number }
  /** 422: no model for the language; 503: no room for another stream. */
  | { status: 422 | 503; error: string };

/** Media node → transcriber: the voice stops (the transcriber finishes its last utterance). */
export interface StopTranscribingRequest {
  streamId: VoiceStreamId;
}

export interface StopTranscribingReply {
  status: 200 | 404 | 503;
}

/** Transcriber → conference service: a participant said something (final, never revised). */
export interface UtteranceReport {
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  /** Epoch milliseconds of the first and last sound of the utterance. */
  startedAt: number;
  endedAt: number;
  text: string;
}

/** 404: the conference is gone (the transcriber drops the utterance); 503: try again. */
export interface UtteranceReply {
  status: 200 | 404 | 503;
}
