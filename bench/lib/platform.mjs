// The platform as the benchmarks run it: the compiled services as child processes on free ports,
// with a NATS prefix of their own (as tests/e2e/harness does), plus the API calls that set a bench up.
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const children = [];

export function startChild(name, args, env) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (chunk) => {
    lines.push(chunk.toString());
    if (lines.length > 200) lines.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const entry = { name, child, logs: () => lines.join('') };
  children.push(entry);
  return entry;
}

export async function stopChild({ child }) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forced);
}

/**
 * A TCP port free on 127.0.0.1, drawn from 11000-20999, below the kernel's ephemeral range: a port it
 * chose for a listener (`listen(0)`) may go to an outgoing connection before the service binds it.
 */
export async function freePort() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 11000 + Math.floor(Math.random() * 10000);
    const server = createServer();
    const bound = await new Promise((resolve) => {
      server.once('listening', () => resolve(true));
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1');
    });
    if (!bound) continue;
    server.close();
    await once(server, 'close');
    return port;
  }
  throw new Error('no free port on 127.0.0.1');
}

export async function waitReady(entry, healthUrl) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (entry.child.exitCode !== null)
      throw new Error(`${entry.name} exited during start-up:\n${entry.logs()}`);
    try {
      const response = await fetch(`${healthUrl}/readyz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${entry.name} did not become ready within 60 s:\n${entry.logs()}`);
}

/**
 * Starts conference, notifier and gateway (and a media node with `media`, a SIP gateway with `sip`, a
 * transcription worker with `transcription`) from
 * dist/ on free ports, as tests/e2e/harness/platform.ts does; `env` adds to their environment. Returns
 * each service's child (by name) too, for CPU accounting.
 */
export async function startPlatform(config) {
  const services = [
    'conference',
    'notifier',
    'gateway',
    ...(config.media ? ['media'] : []),
    ...(config.sip ? ['sip'] : []),
    ...(config.transcription ? ['transcription'] : []),
  ];
  for (const name of services) {
    if (!existsSync(join(ROOT, `dist/apps/${name}/src/main.js`))) {
      throw new Error(`dist/apps/${name}/src/main.js is missing: run \`npm run build\` first`);
    }
  }
  const ports = {
    gateway: await freePort(),
    conference: await freePort(),
    notifier: await freePort(),
    media: await freePort(),
    sip: await freePort(),
    transcription: await freePort(),
  };
  const env = {
    ...process.env,
    MIND_ENV: 'development',
    MIND_HTTP_HOST: '127.0.0.1',
    MIND_HTTP_PORT: String(ports.gateway),
    MIND_GATEWAY_METRICS_PORT: '0',
    MIND_CONFERENCE_HEALTH_PORT: String(ports.conference),
    MIND_NOTIFIER_PORT: String(ports.notifier),
    MIND_NOTIFIER_URL: `http://127.0.0.1:${ports.notifier}`,
    MIND_MEDIA_HEALTH_PORT: String(ports.media),
    MIND_SIP_HEALTH_PORT: String(ports.sip),
    MIND_TRANSCRIPTION_HEALTH_PORT: String(ports.transcription),
    MIND_TRANSCRIBER_ID: `bench-${randomBytes(3).toString('hex')}`,
    MIND_MEDIA_NODE_ID: `bench-${randomBytes(3).toString('hex')}`,
    DATABASE_URL: config.databaseUrl,
    NATS_URL: config.natsUrl,
    MIND_NATS_PREFIX: `bench${randomBytes(5).toString('hex')}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...config.env,
    MEDIASOUP_WORKER_BIN:
      process.env.MEDIASOUP_WORKER_BIN ??
      (await run('bash', [join(ROOT, 'deploy/mediasoup-worker/build.sh'), '--path'])).stdout.trim(),
  };
  // BENCH_PROFILE=<dir>: each service writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const started = {};
  const service = (name) =>
    (started[name] = startChild(name, [...profile, join(ROOT, `dist/apps/${name}/src/main.js`)], env));
  const url = (port) => `http://127.0.0.1:${port}`;
  // The conference service migrates the database: start it first, then the others together.
  await waitReady(service('conference'), url(ports.conference));
  await Promise.all(services.slice(1).map((name) => waitReady(service(name), url(ports[name]))));
  return { env, url: url(ports.gateway), services: started };
}

/** Stops every service this process started (in start order) and deletes the platform's event stream. */
export async function stopPlatform(platform) {
  for (const entry of children.splice(0)) await stopChild(entry);
  if (platform) await deleteEventStream(platform.env);
}

export async function deleteEventStream(env) {
  const { connect } = await import('nats');
  const nc = await connect({
    servers: env.NATS_URL.split(','),
    ...(env.MIND_NATS_USER ? { user: env.MIND_NATS_USER, pass: env.MIND_NATS_PASSWORD } : {}),
  });
  try {
    const jsm = await nc.jetstreamManager();
    const stream = `${env.MIND_NATS_PREFIX.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_EVENTS`;
    await jsm.streams.delete(stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

export async function api(baseUrl, method, path, token, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function createApplication(env) {
  const { stdout } = await run(
    process.execPath,
    [
      join(ROOT, 'dist/apps/conference/src/cli.js'),
      'create-application',
      '--max-participants',
      '1000',
      '--max-duration',
      '86400',
    ],
    { env },
  );
  const app = JSON.parse(stdout);
  return { id: app.id, token: app.token };
}
