import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  client,
  freePort,
  HEALTH_PORT_VARIABLE,
  renderChart,
  sleep,
  type Manifest,
  type ServiceName,
} from './harness';

/**
 * The images of `npm run images` (deploy/images/build.sh), built here and run with podman on the
 * machine's PostgreSQL, NATS and Redis as a cluster would run them: read-only root, host network.
 */
const root = join(__dirname, '..', '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
const podmanEnv = {
  ...process.env,
  CONTAINERS_CONF: join(root, 'deploy/images/containers.conf'),
  CONTAINERS_STORAGE_CONF: join(root, 'deploy/images/storage.conf'),
};
const SERVICES: ServiceName[] = [
  'conference',
  'gateway',
  'notifier',
  'media',
  'recording',
  'transcription',
  'sip',
  'demo',
];

/**
 * Size budgets (MB, uncompressed image; the OCI archive is about a third): Debian minbase with the
 * service's packages, Node (~100 MB) and the production node_modules it loads. Measured 2026-12-02
 * (368, 840, 466 MB); the budgets leave ~15 % for growth, so that a dependency that drags in a
 * runtime shows here.
 */
const BUDGET_MB: Record<ServiceName, number> = {
  conference: 420,
  gateway: 420,
  notifier: 420,
  sip: 420,
  demo: 420,
  // ffmpeg with its libraries (~470 MB of Debian packages), and the mediasoup worker.
  media: 960,
  recording: 960,
  // PocketSphinx and its English model, sherpa-onnx with its runtime.
  transcription: 540,
};

function podman(...args: string[]): string {
  const run = spawnSync('podman', args, { env: podmanEnv, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`podman ${args.join(' ')}: ${run.stderr}`);
  return run.stdout.trim();
}

const image = (service: ServiceName) => `localhost/mind/${service}:${version}`;

describe('container images (npm run images) run with podman', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const started: string[] = [];

  beforeAll(() => {
    execFileSync('bash', [join(root, 'deploy/images/build.sh')], { stdio: 'inherit', env: process.env });
  }, 1_200_000);
  afterAll(() => {
    for (const container of started) spawnSync('podman', ['rm', '--force', container], { env: podmanEnv });
  });

  it('every image is within its size budget, saved as an OCI archive, and labelled', () => {
    for (const service of SERVICES) {
      const sizeMb = Number(podman('image', 'inspect', '--format', '{{.Size}}', image(service))) / 1e6;
      const archiveMb = statSync(join(root, 'dist/images', `${service}.oci.tar`)).size / 1e6;
      console.log(`${service}: image ${sizeMb.toFixed(0)} MB, archive ${archiveMb.toFixed(0)} MB`);
      expect({ service, within: sizeMb <= BUDGET_MB[service] }).toEqual({ service, within: true });
      const labels = JSON.parse(podman('image', 'inspect', '--format', '{{json .Labels}}', image(service)));
      expect(labels['org.opencontainers.image.version']).toBe(version);
      expect(labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  /** Starts a service's image with the platform's environment; the URL of its health port. */
  async function run(service: ServiceName): Promise<{ container: string; health: string }> {
    const health = await freePort();
    const env: Record<string, string> = {
      MIND_ENV: 'production',
      LOG_LEVEL: 'warn',
      MIND_HTTP_HOST: '127.0.0.1',
      DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_test',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      NATS_URL: process.env.NATS_URL!,
      MIND_NATS_USER: process.env.MIND_NATS_USER ?? '',
      MIND_NATS_PASSWORD: process.env.MIND_NATS_PASSWORD ?? '',
      MIND_NATS_PREFIX: prefix,
      MIND_STORAGE_DIR: '/tmp/storage',
      MIND_MEDIA_SPOOL_DIR: '/tmp/spool',
      MIND_MEDIA_WORKERS: '1',
      MIND_MEDIA_NODE_ID: `image-test-${prefix}`,
      MIND_TRANSCRIBER_ID: `image-test-${prefix}`,
      MIND_SIP_GATEWAY_ID: `image-test-${prefix}`,
      MIND_SIP_PORT: String(await freePort()),
      MIND_SIP_TLS_PORT: String(await freePort()),
      MIND_GATEWAY_METRICS_PORT: String(await freePort()),
      [HEALTH_PORT_VARIABLE[service]]: String(health),
    };
    const container = `mind-image-test-${service}-${prefix}`;
    started.push(container);
    podman(
      'run',
      '--detach',
      '--name',
      container,
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      ...Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
      image(service),
    );
    return { container, health: `http://127.0.0.1:${health}` };
  }

  async function ready(url: string, container: string) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const status = await fetch(`${url}/readyz`)
        .then((response) => response.status)
        .catch(() => 0);
      if (status === 200) return;
      await sleep(250);
    }
    throw new Error(`${container} not ready in 30 s:\n${podman('logs', container)}`);
  }

  it.each(SERVICES)(
    '%s: /readyz answers 200, it runs as non-root, and it exits within 5 s of SIGTERM',
    async (service) => {
      const { container, health } = await run(service);
      await ready(health, container);
      // The container's first process (tini) and Node under it run as the image's user.
      const pid = podman('inspect', '--format', '{{.State.Pid}}', container);
      const uid = (pid: string) => readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)![1];
      expect(uid(pid)).toBe('10001');
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
      expect(children.map(uid)).toEqual(['10001']);

      const stopping = Date.now();
      podman('stop', '--time', '10', container);
      const stopMs = Date.now() - stopping;
      console.log(`${service}: stopped ${stopMs} ms after SIGTERM`);
      expect(stopMs).toBeLessThan(5000);
      expect(podman('inspect', '--format', '{{.State.ExitCode}}', container)).toBe('0');
    },
    60_000,
  );

  /**
   * What podman's `kube play` (4.3) cannot do, done in the manifests the way a cluster would: it has
   * no Service DNS (host aliases to loopback stand in), publishes container ports (pods take the
   * host network instead, probes name their port numbers), cannot read a Kubernetes Secret back
   * (its values go in directly) and has no node or pod addresses (this machine's loopback).
   */
  function forKubePlay(manifests: Manifest[]): string {
    const secret = manifests.find((m) => m.kind === 'Secret')!;
    const services = manifests.filter((m) => m.kind === 'Service').map((m) => m.metadata.name);
    const deployments = manifests.filter((m) => m.kind === 'Deployment');
    for (const deployment of deployments) {
      deployment.spec.replicas = 1;
      const pod = deployment.spec.template.spec;
      pod.hostNetwork = true;
      pod.hostAliases = [{ ip: '127.0.0.1', hostnames: services }];
      for (const container of pod.containers) {
        const portOf = new Map(container.ports.map((p: any) => [p.name, p.containerPort]));
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
          container[probe].httpGet.port = portOf.get(container[probe].httpGet.port);
        delete container.ports;
        container.env = container.env.flatMap((variable: any) => {
          const field = variable.valueFrom?.fieldRef?.fieldPath;
          if (field === 'status.hostIP' || field === 'status.podIP')
            return [{ name: variable.name, value: '127.0.0.1' }];
          const key = variable.valueFrom?.secretKeyRef?.key;
          if (!key) return [variable];
          const value = secret.stringData[key];
          return value === undefined ? [] : [{ name: variable.name, value: String(value) }];
        });
      }
    }
    return deployments.map((deployment) => stringify(deployment)).join('---\n');
  }

  it("kube play of the rendered chart (one replica each) starts every service with the chart's environment, and the API works", async () => {
    const work = mkdtempSync(join(tmpdir(), 'mind-kube-play-'));
    const release = `kp${prefix.slice(1, 7)}`;
    const values = join(work, 'values.yaml');
    writeFileSync(
      values,
      stringify({
        global: {
          nats: { url: process.env.NATS_URL, prefix: `${prefix}kp` },
          storage: { local: { claimName: `${release}-storage` } },
        },
        secrets: {
          databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_test',
          redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          natsUser: process.env.MIND_NATS_USER ?? '',
          natsPassword: process.env.MIND_NATS_PASSWORD ?? '',
        },
        gateway: { autoscaling: { enabled: false } },
      }),
    );
    const manifests = renderChart(release, values);
    const probePorts = manifests
      .filter((m) => m.kind === 'Deployment')
      .map((m) => {
        const container = m.spec.template.spec.containers[0];
        const port = container.ports.find((p: any) => p.name === container.readinessProbe.httpGet.port);
        return { service: m.metadata.labels!['app.kubernetes.io/name'], port: port.containerPort as number };
      });
    expect(probePorts.map((p) => p.service).sort()).toEqual(
      ['conference', 'gateway', 'media', 'notifier', 'recording', 'transcription'].sort(),
    );
    // The chart's own ports, on the host network: nothing else may hold them.
    for (const { port } of probePorts) {
      const taken = await fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      );
      expect({ port, taken }).toEqual({ port, taken: false });
    }
    const play = join(work, 'play.yaml');
    writeFileSync(play, forKubePlay(manifests));
    try {
      podman('kube', 'play', '--network', 'host', play);
      const container = (service: string) => `${release}-${service}-pod-0-${service}`;
      for (const { service, port } of probePorts) await ready(`http://127.0.0.1:${port}`, container(service));

      // An operator creates an application in the conference pod; the API answers through the gateway.
      const application = JSON.parse(
        podman(
          'exec',
          container('conference'),
          'node',
          'dist/apps/conference/src/cli.js',
          'create-application',
        ),
      );
      const gateway = `http://127.0.0.1:${probePorts.find((p) => p.service === 'gateway')!.port}`;
      const conference = await client(gateway, application.token).post(`/${application.id}`, {
        name: 'kube',
      });
      expect(conference.status).toBe(200);
    } finally {
      spawnSync('podman', ['kube', 'down', play], { env: podmanEnv });
      spawnSync('podman', ['volume', 'rm', '--force', `${release}-storage`], { env: podmanEnv });
    }
  }, 120_000);
});
