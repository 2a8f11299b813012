import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { VARIABLES } from '@mind/config';

/**
 * The Helm chart (helm/mind) checked with the real helm and Kubernetes' own schemas: what a cluster
 * would accept, and our rules for what it would run. Scheduling, DNS, rolling updates and autoscaling
 * need a real cluster (helm/README.md).
 */
const root = join(__dirname, '..', '..');
const chart = join(root, 'helm', 'mind');
const production = join(root, 'helm', 'examples', 'production.yaml');
const helmBin =
  process.env.HELM_BIN ??
  execFileSync('bash', [join(root, 'deploy', 'helm.sh')])
    .toString()
    .trim();
const appVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
};

function helm(...args: string[]) {
  const run = spawnSync(helmBin, args, { encoding: 'utf8' });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

function render(...values: string[]): Manifest[] {
  const run = helm('template', 'mind', chart, ...values.flatMap((file) => ['-f', file]));
  expect(run.err).toBe('');
  expect(run.status).toBe(0);
  return parseAllDocuments(run.out)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/**
 * The kinds the chart may render, each checked against the Kubernetes schema of its version (types,
 * required fields, quantities); a removed or beta API version is not in the list.
 */
const MODELS: Record<string, ((manifest: Manifest) => { validate(): void }) | null> = {
  'apps/v1/Deployment': (m) => new Deployment(m as never),
  'v1/Service': (m) => new Service(m as never),
  'v1/Secret': (m) => new Secret(m as never),
  'networking.k8s.io/v1/Ingress': (m) => new Ingress(m as never),
  'autoscaling/v2/HorizontalPodAutoscaler': (m) => new HorizontalPodAutoscaler(m as never),
  'policy/v1/PodDisruptionBudget': (m) => new PodDisruptionBudget(m as never),
  // Prometheus Operator's CRD: no schema here; its fields are checked below.
  'monitoring.coreos.com/v1/ServiceMonitor': null,
};

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);

/** What holds for every rendering: valid objects, and containers the way we run them. */
function checkManifests(manifests: Manifest[], registry: string, tag: string) {
  for (const manifest of manifests) {
    const key = `${manifest.apiVersion}/${manifest.kind}`;
    expect(Object.keys(MODELS)).toContain(key);
    const model = MODELS[key];
    if (model) expect(() => model(manifest).validate()).not.toThrow();
  }

  const secret = ofKind(manifests, 'Secret')[0];
  for (const deployment of ofKind(manifests, 'Deployment')) {
    const pod = deployment.spec.template.spec;
    const service = deployment.metadata.labels!['app.kubernetes.io/name'];
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers).toHaveLength(1);
    for (const container of pod.containers) {
      // The image `npm run images` makes for this service.
      expect(container.image).toBe(`${registry}/${service}:${tag}`);
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(container.resources.requests.cpu).toBeDefined();
      expect(container.resources.requests.memory).toBeDefined();
      expect(container.resources.limits.memory).toBeDefined();
      const portNames = container.ports.map((port: { name: string }) => port.name);
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        expect({ service, probe, port: portNames.includes(container[probe].httpGet.port) }).toEqual({
          service,
          probe,
          port: true,
        });
      }
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      // Only variables the platform reads (the README's table), and OpenTelemetry's standard ones.
      for (const { name, valueFrom } of container.env) {
        expect({ service, name, known: name in VARIABLES || name.startsWith('OTEL_') }).toEqual({
          service,
          name,
          known: true,
        });
        const key = valueFrom?.secretKeyRef;
        // A required key of the chart's own Secret is in it.
        if (key && secret && !key.optional) expect(Object.keys(secret.stringData)).toContain(key.key);
      }
    }
    // The root file system is read-only: /tmp is a volume.
    expect(pod.volumes.map((volume: { name: string }) => volume.name)).toContain('tmp');
  }

  // Every Service, autoscaler and disruption budget points at a Deployment of the release.
  const deployments = ofKind(manifests, 'Deployment');
  for (const service of ofKind(manifests, 'Service')) {
    const target = deployments.find((d) =>
      Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
    );
    expect(target).toBeDefined();
  }
  for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler')) {
    const target = named(manifests, 'Deployment', hpa.spec.scaleTargetRef.name);
    expect(target).toBeDefined();
    // The autoscaler owns the replica count.
    expect(target!.spec.replicas).toBeUndefined();
  }
  for (const pdb of ofKind(manifests, 'PodDisruptionBudget')) {
    expect(
      deployments.some((d) =>
        Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => d.spec.selector.matchLabels[k] === v),
      ),
    ).toBe(true);
  }
}

describe('the Helm chart', () => {
  it('lints strictly with its default values and a production-like file', () => {
    for (const values of [[], ['-f', production]]) {
      const run = helm('lint', '--strict', chart, ...values);
      expect(run.out).toContain('1 chart(s) linted, 0 chart(s) failed');
      expect(run.status).toBe(0);
    }
  });

  it('renders valid manifests from its default values: every service, external PostgreSQL, Redis and NATS', () => {
    const manifests = render();
    checkManifests(manifests, 'localhost/mind', appVersion);
    const services = ofKind(manifests, 'Deployment').map((d) => d.metadata.name);
    expect(services.sort()).toEqual(
      ['conference', 'gateway', 'media', 'notifier', 'recording', 'transcription'].map((s) => `mind-${s}`),
    );
    // The chart's Secret holds the credentials; no container carries one in plain text.
    const secret = named(manifests, 'Secret', 'mind-mind')!;
    expect(Object.keys(secret.stringData).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
    for (const deployment of ofKind(manifests, 'Deployment')) {
      for (const { name, value } of deployment.spec.template.spec.containers[0].env) {
        if (/DATABASE_URL|REDIS_URL|PASSWORD|SECRET|TOKEN/.test(name))
          expect({ name, value }).toEqual({ name });
      }
    }
    const gateway = named(manifests, 'Deployment', 'mind-gateway')!;
    const env = Object.fromEntries(
      gateway.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [
        e.name,
        e.value,
      ]),
    );
    expect(env.MIND_NOTIFIER_URL).toBe('http://mind-notifier:8082');
    expect(env.MIND_HTTP_HOST).toBe('0.0.0.0');
    expect(ofKind(manifests, 'Ingress')).toEqual([]);
  });

  it('renders a production installation: ingress with TLS, media nodes on their nodes, autoscaled workers, scraped metrics', () => {
    const manifests = render(production);
    checkManifests(manifests, 'registry.example.com/mind', '0.1.0');
    // Credentials come from the operator's Secret.
    expect(ofKind(manifests, 'Secret')).toEqual([]);
    expect(ofKind(manifests, 'Deployment')).toHaveLength(8);

    const ingress = named(manifests, 'Ingress', 'mind-gateway')!;
    expect(ingress.spec.tls).toEqual([{ hosts: ['mind.example.com'], secretName: 'mind-example-com-tls' }]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: 'mind-gateway',
      port: { name: 'http' },
    });
    // Application WebSockets stay open through ingress-nginx.
    expect(
      Number(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout']),
    ).toBeGreaterThanOrEqual(3600);

    const media = named(manifests, 'Deployment', 'mind-media')!;
    const pod = media.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe(
      'kubernetes.io/hostname',
    );
    expect(media.spec.strategy.rollingUpdate.maxSurge).toBe(0);
    // Long enough for the drain that SIGTERM starts (conferences move, segments are stored).
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(120);
    const mediaEnv = pod.containers[0].env;
    expect(
      mediaEnv.find((e: { name: string }) => e.name === 'MIND_MEDIA_ANNOUNCED_ADDRESS').valueFrom,
    ).toEqual({
      fieldRef: { fieldPath: 'status.hostIP' },
    });
    expect(pod.volumes.find((v: { name: string }) => v.name === 'spool').hostPath.path).toBe(
      '/var/lib/mind/spool',
    );

    // SIP gateways, like media nodes, on their nodes' network, saying the node's address to phones.
    const sip = named(manifests, 'Deployment', 'mind-sip')!.spec.template.spec;
    expect(sip.hostNetwork).toBe(true);
    const sipEnv = Object.fromEntries(
      sip.containers[0].env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [
        e.name,
        e.value ?? e.valueFrom,
      ]),
    );
    expect(sipEnv.MIND_SIP_ANNOUNCED_ADDRESS).toEqual({ fieldRef: { fieldPath: 'status.hostIP' } });
    expect(sipEnv.MIND_SIP_PORT).toBe('5060');
    expect(sipEnv.MIND_SIP_USERNAME).toMatchObject({
      secretKeyRef: { key: 'MIND_SIP_USERNAME', optional: true },
    });

    const scaled = ofKind(manifests, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name);
    expect(scaled).toEqual(expect.arrayContaining(['mind-gateway', 'mind-recording', 'mind-transcription']));
    for (const monitor of ofKind(manifests, 'ServiceMonitor')) {
      const service = named(manifests, 'Service', monitor.metadata.name)!;
      const ports = service.spec.ports.map((port: { name: string }) => port.name);
      expect(ports).toContain(monitor.spec.endpoints[0].port);
      expect(monitor.spec.endpoints[0].path).toBe('/metrics');
    }
  });

  it('refuses values it does not know or that cannot work, saying which', () => {
    const refused = (...set: string[]) =>
      helm('template', 'mind', chart, ...set.flatMap((s) => ['--set', s]));
    const typo = refused('gatway.enabled=false');
    expect(typo.status).not.toBe(0);
    expect(typo.err).toMatch(/Additional property gatway is not allowed/);
    const privileged = refused('media.rtcPorts.min=80');
    expect(privileged.err).toMatch(/media\.rtcPorts\.min: Must be greater than or equal to 1024/);
    const bucketless = refused('global.storage.kind=s3');
    expect(bucketless.err).toMatch(/global\.storage\.s3\.endpoint is required with storage kind s3/);
    const demo = refused('demo.enabled=true');
    expect(demo.err).toMatch(/demo\.apiUrl \(the public API's URL\) is required/);
  });
});
