import type { RequestSchemaName, ResponseSchemaName } from './schemas';

/** Who may call an operation; interpreted by `@mind/auth`. */
export type AccessRule =
  | 'application'
  | 'application-or-participant'
  | 'application-or-moderator'
  | 'participant-self'
  | 'participant-update';

export type PathParam = 'applicationId' | 'conferenceId' | 'participantId' | 'streamingId';

export interface OperationSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Fastify-style path; every `:param` is a lower-case UUID. */
  path: string;
  summary: string;
  access: AccessRule;
  body?: RequestSchemaName;
  query?: 'detailed' | 'page';
  response: { status: number; schema: ResponseSchemaName; contentType?: string; partial?: string };
  /** How long the conference service may take to answer, when more than the usual RPC timeout. */
  answerWithinMs?: number;
  /** Still served once the conference has ended: it stays readable (and deletable) by the application. */
  allowedAfterEnd?: boolean;
}

const C = '/:applicationId/:conferenceId';

/**
 * Every operation of the public API, keyed by operation id. The gateway registers its routes from this
 * table, the conference service answers one NATS subject per entry and the OpenAPI document lists it.
 */
export const OPERATIONS = {
  createConference: {
    method: 'POST',
    path: '/:applicationId',
    summary: 'Create a conference',
    access: 'application',
    body: 'createConference',
    response: { status: 200, schema: 'conference' },
  },
  getConference: {
    method: 'GET',
    path: C,
    summary: 'Get a conference (with `detailed=true`: transcription, participants, streamings)',
    access: 'application-or-participant',
    query: 'detailed',
    response: { status: 200, schema: 'conference' },
    allowedAfterEnd: true,
  },
  deleteConference: {
    method: 'DELETE',
    path: C,
    summary: 'Delete a conference and all its data',
    access: 'application',
    response: { status: 200, schema: 'empty' },
    allowedAfterEnd: true,
  },
  updateConference: {
    method: 'PATCH',
    path: C,
    summary: 'Modify a conference',
    access: 'application-or-moderator',
    body: 'updateConference',
    response: { status: 200, schema: 'conference' },
  },
  getRecording: {
    method: 'GET',
    path: `${C}/recording`,
    summary: 'Get the recording: MP4, or a JPEG thumbnail by `Accept`',
    access: 'application-or-moderator',
    response: { status: 200, schema: 'mp4', contentType: 'video/mp4' },
    allowedAfterEnd: true,
  },
  getRecordingPreview: {
    method: 'GET',
    path: `${C}/recording/preview`,
    summary: 'Get the animated WebP preview of the recording',
    access: 'application-or-moderator',
    response: { status: 200, schema: 'webp', contentType: 'image/webp' },
    allowedAfterEnd: true,
  },
  startRecording: {
    method: 'POST',
    path: `${C}/recording/start`,
    summary: 'Start or resume recording',
    access: 'application-or-moderator',
    body: 'empty',
    response: { status: 200, schema: 'empty' },
  },
  stopRecording: {
    method: 'POST',
    path: `${C}/recording/stop`,
    summary: 'Stop or pause recording',
    access: 'application-or-moderator',
    body: 'empty',
    response: { status: 200, schema: 'empty' },
  },
  getRecordingTranscription: {
    method: 'GET',
    path: `${C}/recording/transcription`,
    summary: 'Get the transcription of the recording',
    access: 'application-or-moderator',
    response: {
      status: 200,
      schema: 'recordingTranscription',
      partial:
        'What is transcribed so far, while recording or until the transcript of the made recording is kept',
    },
    allowedAfterEnd: true,
  },
  getTranscription: {
    method: 'GET',
    path: `${C}/transcription`,
    summary: 'Get the transcription state',
    access: 'application-or-participant',
    response: { status: 200, schema: 'transcription' },
    allowedAfterEnd: true,
  },
  listUtterances: {
    method: 'GET',
    path: `${C}/transcription/utterances`,
    summary:
      'List the utterances of live transcription in the order they were said (extension; `since`: after this epoch ms, `limit`: at most this many, more when the last ones share a timestamp)',
    access: 'application-or-participant',
    query: 'page',
    response: { status: 200, schema: 'utterances' },
    allowedAfterEnd: true,
  },
  updateTranscription: {
    method: 'PATCH',
    path: `${C}/transcription`,
    summary: 'Start or stop live transcription',
    access: 'application',
    body: 'updateTranscription',
    response: { status: 200, schema: 'transcription' },
  },
  sendMessage: {
    method: 'POST',
    path: `${C}/messages`,
    summary: 'Send a message to a participant, the application or everyone',
    access: 'application-or-participant',
    body: 'sendMessage',
    response: { status: 200, schema: 'message' },
  },
  listParticipants: {
    method: 'GET',
    path: `${C}/participants`,
    summary: 'List participants (a participant caller comes first)',
    access: 'application-or-participant',
    response: { status: 200, schema: 'participants' },
    allowedAfterEnd: true,
  },
  createParticipant: {
    method: 'POST',
    path: `${C}/participants`,
    summary: 'Create a participant and its token',
    access: 'application',
    body: 'createParticipant',
    response: { status: 200, schema: 'createdParticipant' },
  },
  deleteParticipants: {
    method: 'DELETE',
    path: `${C}/participants`,
    summary: 'Delete all participants',
    access: 'application',
    response: { status: 200, schema: 'empty' },
  },
  getParticipant: {
    method: 'GET',
    path: `${C}/participants/:participantId`,
    summary: 'Get a participant',
    access: 'application-or-participant',
    response: { status: 200, schema: 'participant' },
    allowedAfterEnd: true,
  },
  initiateSession: {
    method: 'POST',
    path: `${C}/participants/:participantId`,
    summary: '(Re)initiate the WebRTC session of the calling participant: SDP offer in, answer out',
    access: 'participant-self',
    body: 'session',
    response: { status: 200, schema: 'session' },
  },
  initiateOwnSession: {
    method: 'POST',
    path: C,
    summary: '(Re)initiate the WebRTC session of the participant the token belongs to (SDK form)',
    access: 'participant-self',
    body: 'session',
    response: { status: 200, schema: 'session' },
  },
  deleteParticipant: {
    method: 'DELETE',
    path: `${C}/participants/:participantId`,
    summary: 'Delete (expel) a participant',
    access: 'application',
    response: { status: 200, schema: 'empty' },
  },
  updateParticipant: {
    method: 'PATCH',
    path: `${C}/participants/:participantId`,
    summary:
      'Modify a participant (others than application and moderators: only their own name, layout, language)',
    access: 'participant-update',
    body: 'updateParticipant',
    response: { status: 200, schema: 'participant' },
  },
  dialParticipant: {
    method: 'POST',
    path: `${C}/participants/:participantId/dial`,
    summary: 'Dial out to a SIP URI',
    access: 'application-or-moderator',
    body: 'dial',
    response: { status: 200, schema: 'dial' },
    // The answer waits for the phone: up to 30 s of ringing, then the call's setup.
    answerWithinMs: 50_000,
  },
  forwardParticipant: {
    method: 'POST',
    path: `${C}/participants/:participantId/forward`,
    summary: 'Forward the SIP call',
    access: 'application-or-moderator',
    body: 'forward',
    response: { status: 200, schema: 'empty' },
    // A transfer waits for the phone's final word on it.
    answerWithinMs: 45_000,
  },
  hangupParticipant: {
    method: 'POST',
    path: `${C}/participants/:participantId/hangup`,
    summary: 'Hang up the SIP call',
    access: 'application-or-moderator',
    body: 'empty',
    response: { status: 200, schema: 'empty' },
  },
  listStreamings: {
    method: 'GET',
    path: `${C}/streamings`,
    summary: 'List streamings',
    access: 'application',
    response: { status: 200, schema: 'streamings' },
    allowedAfterEnd: true,
  },
  createStreaming: {
    method: 'POST',
    path: `${C}/streamings`,
    summary: 'Stream the conference to an RTMP(S) URL',
    access: 'application',
    body: 'createStreaming',
    response: { status: 200, schema: 'streaming' },
  },
  deleteStreamings: {
    method: 'DELETE',
    path: `${C}/streamings`,
    summary: 'Delete all streamings',
    access: 'application',
    response: { status: 200, schema: 'empty' },
  },
  getStreaming: {
    method: 'GET',
    path: `${C}/streamings/:streamingId`,
    summary: 'Get a streaming',
    access: 'application',
    response: { status: 200, schema: 'streaming' },
    allowedAfterEnd: true,
  },
  deleteStreaming: {
    method: 'DELETE',
    path: `${C}/streamings/:streamingId`,
    summary: 'Delete a streaming',
    access: 'application',
    response: { status: 200, schema: 'empty' },
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationId = keyof typeof OPERATIONS;
export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];

/** Path parameters a route carries, in order, e.g. `['applicationId', 'conferenceId']`. */
export function pathParams(op: OperationId): PathParam[] {
  return [...OPERATIONS[op].path.matchAll(/:(\w+)/g)].map((m) => m[1] as PathParam);
}
