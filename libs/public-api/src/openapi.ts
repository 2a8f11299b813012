import {
  OPERATION_IDS,
  OPERATIONS,
  pathParams,
  querySchemas,
  requestSchemas,
  responseSchemas,
  type AccessRule,
  type OperationSpec,
} from '@mind/contracts';

const WHO: Record<AccessRule, string> = {
  application: 'the application',
  'application-or-participant': 'the application or any participant of the conference',
  'application-or-moderator': 'the application or a moderator of the conference',
  'participant-self': 'the participant itself only',
  'participant-update':
    'the application or a moderator; other participants only their own name, layout and language',
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } },
});

/** The OpenAPI 3.1 document, generated from the same operation table and schemas the gateway enforces. */
export function buildOpenApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operationId of OPERATION_IDS) {
    const spec: OperationSpec = OPERATIONS[operationId];
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = pathParams(operationId).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    }));
    if (spec.query) {
      for (const [name, schema] of Object.entries(querySchemas[spec.query].properties)) {
        parameters.push({ name, in: 'query', required: false, schema });
      }
    }
    const contentType = spec.response.contentType ?? 'application/json';
    const operation: Record<string, unknown> = {
      operationId,
      summary: spec.summary,
      description: `Who may call: ${WHO[spec.access]}.`,
      parameters,
      responses: {
        [spec.response.status]: {
          description: 'Success',
          content: { [contentType]: { schema: { $ref: `#/components/schemas/${spec.response.schema}` } } },
        },
        ...(spec.response.partial
          ? {
              206: {
                description: spec.response.partial,
                content: {
                  [contentType]: { schema: { $ref: `#/components/schemas/${spec.response.schema}` } },
                },
              },
            }
          : {}),
        400: errorResponse('Invalid input; `field` names the offending field'),
        401: errorResponse('No or invalid token'),
        403: errorResponse('The token does not grant this operation'),
        404: errorResponse('Unknown or foreign resource'),
        ...(spec.body ? { 415: errorResponse('The body is not JSON') } : {}),
      },
    };
    if (spec.body) {
      operation.requestBody = {
        required: spec.body !== 'empty',
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${spec.body}Request` } } },
      };
    }
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = operation;
  }
  const schemas: Record<string, unknown> = { ...responseSchemas };
  for (const [name, schema] of Object.entries(requestSchemas)) schemas[`${name}Request`] = schema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mind API',
      version,
      description:
        'Conferences, participants, messages, recording, transcription, streaming and SIP. ' +
        'Applications also open a WebSocket on `GET /{applicationId}/{conferenceId}` for notifications.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { accessToken: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        accessToken: { type: 'apiKey', in: 'query', name: 'access_token' },
      },
    },
  };
}
