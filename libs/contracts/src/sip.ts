import type { DialStatus } from './enums';
import type { ApplicationId, ConferenceId, NodeId, ParticipantId, SipGatewayId, TraceId } from './ids';

/** A SIP gateway announces itself every second with its calls; silence means it is gone. */
export interface SipGatewayHeartbeat {
  gatewayId: SipGatewayId;
  /** Changes when the process restarts: the calls of the previous incarnation are gone. */
  incarnation: string;
  calls: number;
  at: number;
  /** On the last heartbeat of a gateway that is shutting down. */
  leaving?: boolean;
}

export const SIP_HEARTBEAT_MS = 1000;
/** A gateway not heard of for this long is considered gone, and its phone lines offline. */
export const SIP_GATEWAY_TIMEOUT_MS = 3000;

/** Conference service → a SIP gateway: call `to` for a participant, whose phone line it becomes. */
export interface SipDialRequest {
  applicationId: ApplicationId;
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  /** The media node hosting the conference, which bridges the call's audio. */
  nodeId: NodeId;
  /** SIP addresses checked by the conference service (well formed, allowed targets). */
  from: string;
  to: string;
  proxy?: string;
  /** Seconds to wait for an answer. */
  timeoutS: number;
  /** The application's SIP account for digest challenges; absent: the gateway's default. */
  credentials?: { username: string; password: string };
  traceId: TraceId;
}

/**
 * `200` with how the call went; `409` when the participant already has a call; `503` when the
 * gateway could not try (its media node failed, it is shutting down).
 */
export type SipDialReply = { status: 200; outcome: DialStatus } | { status: 409 | 503; error: string };

/** Conference service → the gateway holding a participant's call (keyed by participant). */
export type SipCallCommand =
  { action: 'hangup'; traceId: TraceId } | { action: 'forward'; destination: string; traceId: TraceId };

/** `409`: the call is not in a state that can be forwarded; `502`: the peer refused the transfer. */
export type SipCallReply = { status: 200 } | { status: 409 | 502 | 503; error: string };

/**
 * SIP gateway → the media node hosting a conference: bridge a phone line. The gateway sends the
 * phone's voice as Opus RTP from `rtp` (payload type and SSRC given) and receives there what the
 * participant hears: the conference's audio without its own voice.
 */
export interface PhoneLegRequest {
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  /** The gateway's end of the media: where the node sends, and where the voice comes from. */
  rtp: { ip: string; port: number };
  voice: { payloadType: number; ssrc: number };
  traceId: TraceId;
}

export type PhoneLegReply =
  | {
      status: 200;
      /** The node's end: where the gateway sends the voice. */
      rtp: { ip: string; port: number };
      /** What the node sends: Opus at 48 kHz, this payload type. */
      hearing: { payloadType: number; ssrc: number };
    }
  | { status: 404 | 503; error: string };

export interface PhoneLegCloseRequest {
  conferenceId: ConferenceId;
  participantId: ParticipantId;
}

export interface PhoneLegCloseReply {
  status: 200;
}

/** SIP gateway → conference service: a phone line's phone sent a key (RFC 4733). */
export interface SipDtmfReport {
  conferenceId: ConferenceId;
  participantId: ParticipantId;
  digit: string;
  /** Epoch milliseconds of the key press. */
  at: number;
}

/** 404: the participant or its conference is gone. */
export interface SipDtmfReply {
  status: 200 | 404 | 503;
}
