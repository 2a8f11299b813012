import { DIAL_STATUSES, LANGUAGES, LAYOUTS, ROLES } from './enums';

/**
 * JSON Schemas (2020-12 subset understood by both Ajv and OpenAPI 3.1) for every body the API reads
 * or writes. The gateway validates requests with them and the OpenAPI document is built from them,
 * so the wire contract is written exactly once.
 */
export type JsonSchema = Record<string, unknown>;

export const LIMITS = {
  nameLength: 256,
  messageLength: 16384,
  urlLength: 2048,
  sipUriLength: 512,
  sdpLength: 262144,
} as const;

const uuid: JsonSchema = { type: 'string', format: 'uuid' };
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const name: JsonSchema = { type: 'string', maxLength: LIMITS.nameLength };
const layout: JsonSchema = { type: 'string', enum: [...LAYOUTS] };
const role: JsonSchema = { type: 'string', enum: [...ROLES] };
const language: JsonSchema = { type: 'string', enum: [...LANGUAGES] };
const priority: JsonSchema = { type: 'number', minimum: 0 };
const media: JsonSchema = {
  type: 'object',
  required: ['audio', 'video'],
  properties: { audio: { type: 'boolean' }, video: { type: 'boolean' } },
};
// Control characters (CR, LF) could make a SIP address another header line of a request.
const sipUri: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.sipUriLength,
  pattern: '^[^\\u0000-\\u001f\\u007f]*$',
};

export const requestSchemas = {
  createConference: {
    type: 'object',
    properties: { name, layout, recordingLayout: { ...layout, deprecated: true } },
  },
  updateConference: {
    type: 'object',
    properties: { name: nullable(name), layout: nullable(layout) },
  },
  createParticipant: {
    type: 'object',
    properties: { name, priority, role, layout: { ...layout, deprecated: true }, language },
  },
  updateParticipant: {
    type: 'object',
    properties: {
      name: nullable(name),
      priority: nullable(priority),
      role: nullable(role),
      layout: nullable({ ...layout, deprecated: true }),
      language: nullable(language),
    },
  },
  sendMessage: {
    type: 'object',
    required: ['sendTo', 'text'],
    properties: {
      sendTo: uuid,
      text: { type: 'string', maxLength: LIMITS.messageLength },
      persistent: { type: 'boolean' },
    },
  },
  updateTranscription: {
    type: 'object',
    properties: { started: nullable({ type: 'boolean' }) },
  },
  createStreaming: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', format: 'uri', pattern: '^rtmps?://[^/\\s]+', maxLength: LIMITS.urlLength },
    },
  },
  session: {
    type: 'object',
    required: ['sdp'],
    properties: { sdp: { type: 'string', minLength: 1, maxLength: LIMITS.sdpLength } },
  },
  dial: {
    type: 'object',
    required: ['from', 'to'],
    properties: {
      from: sipUri,
      to: sipUri,
      proxy: sipUri,
      timeout: {
        anyOf: [
          { type: 'integer', minimum: 5, maximum: 30 },
          { type: 'string', pattern: '^(?:[5-9]|[12][0-9]|30)$' },
        ],
      },
    },
  },
  forward: {
    type: 'object',
    required: ['destination'],
    properties: { destination: sipUri },
  },
  empty: { type: 'object' },
} satisfies Record<string, JsonSchema>;

/** Pages of lists (`limit`). */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export const querySchemas = {
  detailed: {
    type: 'object',
    properties: { detailed: { type: 'boolean', default: false } },
  },
  page: {
    type: 'object',
    properties: {
      since: { type: 'integer', minimum: 0, default: 0, description: 'Only what came after this epoch ms' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
    },
  },
} satisfies Record<string, JsonSchema>;

const participant: JsonSchema = {
  type: 'object',
  required: ['id', 'online', 'name', 'priority', 'role', 'layout', 'language', 'media', 'secondaryMedia'],
  properties: {
    id: uuid,
    online: { type: 'boolean' },
    name: { type: 'string' },
    priority: { type: 'number' },
    role,
    layout,
    language,
    media,
    secondaryMedia: media,
  },
};
const streaming: JsonSchema = {
  type: 'object',
  required: ['id', 'url', 'alive'],
  properties: { id: uuid, url: { type: 'string' }, alive: { type: 'boolean' } },
};
const transcription: JsonSchema = {
  type: 'object',
  required: ['started'],
  properties: {
    started: { type: 'boolean' },
    notTranscribed: {
      type: 'array',
      description:
        'Extension, on GET only: participants whose voice enters the mix but cannot be transcribed now, and why',
      items: {
        type: 'object',
        required: ['participantId', 'reason'],
        properties: { participantId: uuid, reason: { type: 'string' } },
      },
    },
  },
};

export const responseSchemas = {
  conference: {
    type: 'object',
    required: ['id', 'name', 'layout', 'recording', 'endingAt'],
    properties: {
      id: uuid,
      name: { type: 'string' },
      layout,
      recording: { type: 'object', required: ['started'], properties: { started: { type: 'boolean' } } },
      endingAt: { type: 'integer', description: 'Epoch seconds' },
      transcription: { ...transcription, description: 'Only with detailed=true' },
      participants: { type: 'array', items: participant, description: 'Only with detailed=true' },
      streamings: {
        type: 'array',
        items: streaming,
        description: 'Only with detailed=true, and only for the application',
      },
    },
  },
  participant,
  participants: { type: 'array', items: participant },
  createdParticipant: {
    ...participant,
    required: [...(participant.required as string[]), 'token'],
    properties: { ...(participant.properties as object), token: { type: 'string' } },
  },
  message: {
    type: 'object',
    required: ['id', 'sentTo', 'sentBy', 'sentAt', 'text'],
    properties: {
      id: uuid,
      sentTo: uuid,
      sentBy: uuid,
      sentAt: { type: 'integer', description: 'Epoch milliseconds' },
      text: { type: 'string' },
    },
  },
  transcription,
  utterances: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'timestamp', 'participantId', 'text'],
      properties: {
        id: uuid,
        timestamp: { type: 'integer', description: 'Epoch milliseconds of its first sound' },
        participantId: uuid,
        text: { type: 'string' },
      },
    },
  },
  recordingTranscription: {
    type: 'array',
    items: {
      type: 'object',
      required: ['timestamp', 'participantId', 'text'],
      properties: { timestamp: { type: 'integer' }, participantId: uuid, text: { type: 'string' } },
    },
  },
  streaming,
  streamings: { type: 'array', items: streaming },
  session: { type: 'object', required: ['sdp'], properties: { sdp: { type: 'string' } } },
  dial: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: [...DIAL_STATUSES] } },
  },
  empty: { type: 'object' },
  error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: { type: 'string' },
      field: { type: 'string', description: 'The offending request field, when one is to blame' },
    },
  },
  mp4: { type: 'string', format: 'binary' },
  jpeg: { type: 'string', format: 'binary' },
  webp: { type: 'string', format: 'binary' },
} satisfies Record<string, JsonSchema>;

export type RequestSchemaName = keyof typeof requestSchemas;
export type ResponseSchemaName = keyof typeof responseSchemas;
