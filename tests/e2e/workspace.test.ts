import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const nx = (...args: string[]) =>
  execFileSync('npx', ['nx', ...args], {
    cwd: ROOT,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    encoding: 'utf8',
  });

interface Graph {
  nodes: Record<
    string,
    { type: string; data: { root: string; tags: string[]; targets: Record<string, unknown> } }
  >;
  dependencies: Record<string, { target: string; type: string }[]>;
}

const SERVICES = [
  'gateway',
  'conference',
  'notifier',
  'media',
  'recording',
  'transcription',
  'sip-gateway',
  'demo',
];

describe('the Nx workspace: projects, targets, boundaries, affected', () => {
  let graph: Graph;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'mind-nx-'));
    nx('graph', `--file=${join(dir, 'graph.json')}`);
    graph = JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')).graph;
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every service build, serve, lint and test targets, and every project a type, scope and platform', () => {
    for (const service of SERVICES) {
      expect({ service, targets: Object.keys(graph.nodes[service]!.data.targets).sort() }).toEqual({
        service,
        targets: ['build', 'lint', 'serve', 'test'],
      });
    }
    for (const [name, { data }] of Object.entries(graph.nodes)) {
      const kinds = data.tags.map((tag) => tag.split(':')[0]).sort();
      expect({ name, kinds }).toEqual({
        name,
        kinds: name === 'e2e' ? ['platform', 'type'] : ['platform', 'scope', 'type'],
      });
    }
  });

  it('knows what each project imports, and that the integration tests run every service', () => {
    const imports = (name: string) => graph.dependencies[name]!.map((d) => d.target);
    expect(imports('media')).toEqual(expect.arrayContaining(['contracts', 'messaging', 'sdp', 'telemetry']));
    expect(imports('demo-web')).toContain('web-client');
    expect(imports('e2e')).toEqual(expect.arrayContaining([...SERVICES, 'demo-web']));
  });

  it('tells which projects a change affects', () => {
    const affected = (file: string) =>
      nx('show', 'projects', '--affected', `--files=${file}`).trim().split('\n').sort();
    expect(affected('apps/media/src/media-node.ts')).toEqual(['e2e', 'media']);
    expect(affected('libs/contracts/src/protocol.ts')).toEqual(
      expect.arrayContaining([...SERVICES, 'web-client', 'e2e']),
    );
  });
});
