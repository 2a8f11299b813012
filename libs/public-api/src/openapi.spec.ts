import { OPERATION_IDS } from '@mind/contracts';
import { buildOpenApiDocument } from './openapi';

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument('test');

  it('lists every operation of the contract exactly once', () => {
    const ids = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods).map((op) => (op as { operationId: string }).operationId),
    );
    expect(ids.sort()).toEqual([...OPERATION_IDS].sort());
  });

  it('only references schemas it defines', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(
      (m) => m[1],
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(document.components.schemas).toHaveProperty(ref);
  });

  it('uses the API paths at the root of the host with UUID path parameters', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain(
      '/{applicationId}/{conferenceId}/participants/{participantId}',
    );
    const get = document.paths['/{applicationId}/{conferenceId}']['get'] as {
      parameters: { name: string }[];
    };
    expect(get.parameters.map((p) => p.name)).toEqual(['applicationId', 'conferenceId', 'detailed']);
  });

  it('documents the partial answer of the recording transcription and the paging of utterances', () => {
    const paths = document.paths as Record<string, Record<string, any>>;
    const transcript = paths['/{applicationId}/{conferenceId}/recording/transcription']['get'];
    expect(Object.keys(transcript.responses)).toEqual(expect.arrayContaining(['200', '206', '404']));
    const utterances = paths['/{applicationId}/{conferenceId}/transcription/utterances']['get'];
    expect(utterances.parameters.map((p: { name: string }) => p.name)).toEqual([
      'applicationId',
      'conferenceId',
      'since',
      'limit',
    ]);
  });
});
