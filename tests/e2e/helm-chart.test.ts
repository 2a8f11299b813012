import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { VARIABLES } from '@mind/config';
import { QUEUE } from '@mind/contracts';
import { appVersion, chart, helm, renderChart, type Manifest } from './harness';

/**
 * The Helm chart (helm/mind) checked with the real helm and Kubernetes' own schemas: what a cluster
 * would accept, and our rules for what it would run. Scheduling, DNS, rolling updates and autoscaling
 * need a real cluster (helm/README.md).
 */
const root = join(__dirname, '..', '..');
const production = join(root, 'helm', 'examples', 'production.yaml');
const render = (...values: string[]) => renderChart('mind', ...values);

/**
 * The kinds the chart may render, each with the Kubernetes schema of its version (npm
 * `kubernetes-models`' compiled validators: types, required fields, quantities); a removed or beta
 * API version is not in the list.
 */
const SCHEMAS: Record<string, string | null> = {
  'apps/v1/Deployment': 'IoK8sApiAppsV1Deployment',
  'v1/Service': 'IoK8sApiCoreV1Service',
  'v1/Secret': 'IoK8sApiCoreV1Secret',
  'networking.k8s.io/v1/Ingress': 'IoK8sApiNetworkingV1Ingress',
  'autoscaling/v2/HorizontalPodAutoscaler': 'IoK8sApiAutoscalingV2HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'IoK8sApiPolicyV1PodDisruptionBudget',
  // Prometheus Operator's CRD: no schema here; its fields are checked below.
  'monitoring.coreos.com/v1/ServiceMonitor': null,
  // KEDA's CRDs (recording workers on queue depth): no schema here; their fields are checked below.
  'keda.sh/v1alpha1/ScaledObject': null,
  'keda.sh/v1alpha1/TriggerAuthentication': null,
};
// The compiled schemas are not among the package's exports: loaded by path.
const load = createRequire(__filename);
const schemaDir = join(dirname(load.resolve('kubernetes-models/package.json')), '_schemas');

type Validator = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/**
 * A manifest against its schema: the schema's errors, and the fields no schema knows. The compiled
 * validators do not reject unknown fields, so every object goes in behind a proxy that notes which of
 * its fields the validator looks at: a field it never reads is not in the schema (a misspelt
 * `resource:` a cluster would drop without a word). Maps (labels, resource quantities) are walked
 * whole by the validator, so all their keys count as known.
 */
function schemaCheck(manifest: Manifest, schema: string) {
  const { validate } = load(join(schemaDir, `${schema}.js`)) as { validate: Validator };
  const records = new Map<object, { path: string; read: Set<PropertyKey>; whole: boolean; proxy: object }>();
  const watched = (value: unknown, path: string): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    let record = records.get(value);
    if (!record) {
      const read = new Set<PropertyKey>();
      const state = { path, read, whole: Array.isArray(value), proxy: value };
      state.proxy = new Proxy(value, {
        get: (target, key) => (read.add(key), watched(Reflect.get(target, key), `${path}/${String(key)}`)),
        ownKeys: (target) => ((state.whole = true), Reflect.ownKeys(target)),
      });
      records.set(value, (record = state));
    }
    return record.proxy;
  };
  const valid = validate(watched(manifest, ''));
  const unknown = [...records].flatMap(([target, { path, read, whole }]) =>
    whole
      ? []
      : Object.keys(target)
          .filter((key) => !read.has(key))
          .map((key) => `${path}/${key}`),
  );
  return { errors: valid ? [] : validate.errors, unknown };
}

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);

/** What holds for every rendering: valid objects, and containers the way we run them. */
function checkManifests(manifests: Manifest[], registry: string, tag: string) {
  for (const manifest of manifests) {
    const key = `${manifest.apiVersion}/${manifest.kind}`;
    expect(Object.keys(SCHEMAS)).toContain(key);
    const schema = SCHEMAS[key];
    if (schema) {
      const name = `${manifest.kind}/${manifest.metadata.name}`;
      expect({ name, ...schemaCheck(manifest, schema) }).toEqual({ name, errors: [], unknown: [] });
    }
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

  it('finds fields no Kubernetes schema knows, where a cluster would drop them silently', () => {
    const gateway = named(render(), 'Deployment', 'mind-gateway')!;
    const container = gateway.spec.template.spec.containers[0];
    container.resource = container.resources; // misspelt
    gateway.spec.template.spec.hostNetwrk = true;
    expect(schemaCheck(gateway, SCHEMAS['apps/v1/Deployment']!).unknown.sort()).toEqual([
      '/spec/template/spec/containers/0/resource',
      '/spec/template/spec/hostNetwrk',
    ]);
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

  it('serves the API from the conference pods when asked: their API port, its Service port and ingress, no gateway', () => {
    const values = join(mkdtempSync(join(tmpdir(), 'mind-direct-')), 'direct.yaml');
    writeFileSync(
      values,
      [
        'gateway: { enabled: false }',
        'conference:',
        '  api: { enabled: true }',
        '  trustProxy: 10.0.0.0/8',
        '  ingress: { enabled: true, host: mind.example.com, tls: { secretName: mind-tls } }',
        '',
      ].join('\n'),
    );
    expect(helm('lint', '--strict', chart, '-f', values).status).toBe(0);
    const manifests = render(values);
    checkManifests(manifests, 'localhost/mind', appVersion);
    expect(ofKind(manifests, 'Deployment').map((d) => d.metadata.name)).not.toContain('mind-gateway');
    const container = named(manifests, 'Deployment', 'mind-conference')!.spec.template.spec.containers[0];
    const env = Object.fromEntries(
      container.env.map((e: { name: string; value?: string }) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      MIND_CONFERENCE_API_PORT: '8080',
      MIND_HTTP_HOST: '0.0.0.0',
      MIND_NOTIFIER_URL: 'http://mind-notifier:8082',
      MIND_HTTP_TRUST_PROXY: '10.0.0.0/8',
    });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    // Probes and metrics stay on the health port: the API's port is public.
    expect(container.readinessProbe.httpGet.port).toBe('health');
    expect(named(manifests, 'Service', 'mind-conference')!.spec.ports).toContainEqual({
      name: 'http',
      port: 8080,
      targetPort: 'http',
      protocol: 'TCP',
    });
    const ingress = named(manifests, 'Ingress', 'mind-conference')!;
    expect(ingress.spec.tls).toEqual([{ hosts: ['mind.example.com'], secretName: 'mind-tls' }]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: 'mind-conference',
      port: { name: 'http' },
    });
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
    const kedaNowhere = refused('recording.keda.enabled=true');
    expect(kedaNowhere.err).toMatch(/recording\.keda\.redisAddress \(host:port\) is required/);
  });

  it("scales recording workers with KEDA on the queue's waiting jobs, in place of the CPU autoscaler, when asked", async () => {
    const values = join(mkdtempSync(join(tmpdir(), 'mind-keda-')), 'keda.yaml');
    writeFileSync(
      values,
      'recording:\n  keda: { enabled: true, redisAddress: "redis-master:6379", passwordSecretKey: REDIS_PASSWORD }\n',
    );
    const manifests = render(values);
    checkManifests(manifests, 'localhost/mind', appVersion);
    expect(named(manifests, 'HorizontalPodAutoscaler', 'mind-recording')).toBeUndefined();
    expect(named(manifests, 'HorizontalPodAutoscaler', 'mind-gateway')).toBeDefined();
    const scaled = named(manifests, 'ScaledObject', 'mind-recording')!;
    expect(named(manifests, 'Deployment', scaled.spec.scaleTargetRef.name)).toBeDefined();
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('redis');
    expect(trigger.metadata).toMatchObject({ address: 'redis-master:6379', listLength: '2' });
    const auth = named(manifests, 'TriggerAuthentication', trigger.authenticationRef.name)!;
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'password', name: 'mind-mind', key: 'REDIS_PASSWORD' },
    ]);

    // The list KEDA watches is where BullMQ keeps the recording jobs waiting (prefix "mind").
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const prefix = `mind-keda-${process.pid}`;
    const queue = new Queue(QUEUE.recording.name, { connection: redis, prefix: `${prefix}:bull` });
    try {
      await queue.add('waiting', {});
      await queue.add('waiting', {});
      const listName = trigger.metadata.listName.replace(/^mind:/, `${prefix}:`);
      expect(await redis.llen(listName)).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });
});
