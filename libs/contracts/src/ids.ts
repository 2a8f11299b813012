const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids in paths are plain UUIDs (no `urn:uuid:`, no braces): anything else never reaches Postgres. */
export const isUuid = (value: string) => UUID.test(value);

/**
 * An id of the internal protocol. Its brand is optional, so any string is taken where an id is
 * expected, but an id of one kind is never taken for another (a conference id where a trace id
 * belongs fails to compile).
 */
type Id<Kind extends string> = string & { readonly __kind?: Kind };
export type ApplicationId = Id<'application'>;
export type ConferenceId = Id<'conference'>;
export type ParticipantId = Id<'participant'>;
export type StreamingId = Id<'streaming'>;
/** A media node (`MIND_MEDIA_NODE_ID`). */
export type NodeId = Id<'node'>;
/** A participant's WebRTC session (its ICE username fragment). */
export type SessionId = Id<'session'>;
/** The W3C trace id (32 hex digits) of the request or job a message belongs to. */
export type TraceId = Id<'trace'>;
/** A transcription worker (`MIND_TRANSCRIBER_ID`). */
export type TranscriberId = Id<'transcriber'>;
/** One participant's voice on its way to a transcriber. */
export type VoiceStreamId = Id<'voice-stream'>;
/** A SIP gateway (`MIND_SIP_GATEWAY_ID`). */
export type SipGatewayId = Id<'sip-gateway'>;
