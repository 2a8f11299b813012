import type { ApplicationId, ConferenceId, TraceId } from './ids';
import type { ErrorBody } from './resources';
import type { OperationId, PathParam } from './operations';

/** What the gateway sends the conference service for one HTTP request of the public API. */
export interface ApiCommand {
  operation: OperationId;
  /**
   * SHA-256 (hex) of the caller's bearer token (header or `access_token`), verified by the service
   * against the stored digests: the token itself never crosses NATS.
   */
  tokenDigest: string;
  params: Partial<Record<PathParam, string>>;
  query: { detailed?: boolean; since?: number; limit?: number };
  body: Record<string, unknown>;
  /** Preferred representation from `Accept` (recording routes). */
  accept?: string;
  traceId: TraceId;
}

export interface ApiReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The answer is a stored object (recordings): the gateway streams it, with `Range` support. */
  file?: { key: string; contentType: string };
}

export const errorReply = (status: number, error: string, field?: string): ApiReply => ({
  status,
  body: (field ? { error, field } : { error }) satisfies ErrorBody,
});

/** Asks whether a token opens the application WebSocket of a conference. */
export interface SocketAuthRequest {
  applicationId: ApplicationId;
  conferenceId: ConferenceId;
  /** SHA-256 (hex) of the bearer token, as in `ApiCommand`. */
  tokenDigest: string;
  traceId: TraceId;
}

export type SocketAuthReply =
  { status: 200; ended: boolean } | { status: 401 | 403 | 404 | 503; error: string };

/** A gateway saw an address go over the failed-authentication limit: every gateway refuses it. */
export interface AddressBlocked {
  /** The address's digest (as the rate limits key it). */
  address: string;
  /** For how long, in seconds. */
  seconds: number;
}

/** A notifier accepted an application socket: other notifiers close the conference's older one. */
export interface SocketOpened {
  conferenceId: ConferenceId;
  socketId: string;
}
