import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createSocket } from 'node:dgram';
import { createServer, Server } from 'node:net';
import { once, type EventEmitter } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from 'nats';
import { loadConfig } from '@mind/config';
import { natsConnectionOptions } from '@mind/messaging';
import { eventStreamName } from '@mind/contracts';

const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);

export type ServiceName =
  'conference' | 'notifier' | 'gateway' | 'media' | 'demo' | 'recording' | 'transcription' | 'sip';

export const DEV_APP = {
  id: '00e1db72-c57d-478c-88be-3533d43c8b34',
  token:
    'W1VJggwnvg2ldDdvSYES07tpLCWLDlD5nFakVJ6QSCPiZRpAMGyAzKW07OpM1IpceZ2WT5h5Mu7Ekt7WDTQzMUoQkVTRE4NdYUFE',
};

/**
 * A TCP port free on 127.0.0.1, drawn from 11000-20999: below the kernel's ephemeral range
 * (32768-60999), where a port the kernel chose for a listener (`listen(0)`) may go to an outgoing
 * connection before the service told of it binds it (seen: a media node's health port, EADDRINUSE),
 * and apart from the SIP peers' ports (`freePortOn`, 21000-30999).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 11000 + Math.floor(Math.random() * 10000);
    if (await portIsFree('127.0.0.1', port, ['tcp'])) return port;
  }
  throw new Error('no free port on 127.0.0.1');
}

/** Whether `port` can be bound on `address` now, for each of `protocols`. */
export async function portIsFree(
  address: string,
  port: number,
  protocols: ('tcp' | 'udp')[] = ['tcp', 'udp'],
): Promise<boolean> {
  const bind = (socket: EventEmitter, listen: () => void) =>
    new Promise<boolean>((resolve) => {
      socket.once('listening', () => resolve(true));
      socket.once('error', () => resolve(false));
      listen();
    });
  for (const protocol of protocols) {
    const socket = protocol === 'tcp' ? createServer() : createSocket('udp4');
    const bound = await bind(socket, () =>
      socket instanceof Server ? socket.listen(port, address) : socket.bind(port, address),
    );
    socket.close();
    if (!bound) return false;
  }
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The real platform for a test file: the compiled conference, notifier and gateway services as child
 * processes on free ports, against the machine's Postgres, Redis and NATS, with a NATS prefix of their
 * own so that test files (and a dev platform) never see each other's events.
 */
/** The variable that sets each service's HTTP port (health, metrics; the API's for the gateway). */
export const HEALTH_PORT_VARIABLE: Record<ServiceName, string> = {
  gateway: 'MIND_HTTP_PORT',
  conference: 'MIND_CONFERENCE_HEALTH_PORT',
  notifier: 'MIND_NOTIFIER_PORT',
  media: 'MIND_MEDIA_HEALTH_PORT',
  demo: 'MIND_DEMO_PORT',
  recording: 'MIND_RECORDING_HEALTH_PORT',
  transcription: 'MIND_TRANSCRIPTION_HEALTH_PORT',
  sip: 'MIND_SIP_HEALTH_PORT',
};

export class Platform {
  readonly env: NodeJS.ProcessEnv;
  readonly url: string;
  private readonly children = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, string[]>();
  /** Chunks each service has logged in all (the kept lines are the last 200). */
  private readonly logged = new Map<string, number>();

  private constructor(
    env: NodeJS.ProcessEnv,
    private readonly healthPorts: Record<ServiceName, number>,
  ) {
    this.env = env;
    this.url = `http://127.0.0.1:${healthPorts.gateway}`;
  }

  /** Starts the platform; with `media`, also a media node (mediasoup workers, WebRTC on loopback). */
  static async start(
    overrides: NodeJS.ProcessEnv = {},
    options: { media?: boolean } = {},
  ): Promise<Platform> {
    const ports = {
      gateway: await freePort(),
      conference: await freePort(),
      notifier: await freePort(),
      media: await freePort(),
      demo: await freePort(),
      recording: await freePort(),
      transcription: await freePort(),
      sip: await freePort(),
      gatewayMetrics: await freePort(),
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MIND_ENV: 'development',
      MIND_HTTP_HOST: '127.0.0.1',
      MIND_HTTP_PORT: String(ports.gateway),
      MIND_GATEWAY_METRICS_PORT: String(ports.gatewayMetrics),
      MIND_CONFERENCE_HEALTH_PORT: String(ports.conference),
      MIND_NOTIFIER_PORT: String(ports.notifier),
      MIND_NOTIFIER_URL: `http://127.0.0.1:${ports.notifier}`,
      MIND_MEDIA_HEALTH_PORT: String(ports.media),
      MIND_DEMO_PORT: String(ports.demo),
      MIND_RECORDING_HEALTH_PORT: String(ports.recording),
      MIND_TRANSCRIPTION_HEALTH_PORT: String(ports.transcription),
      MIND_TRANSCRIBER_ID: `transcriber-${randomBytes(3).toString('hex')}`,
      MIND_SIP_HEALTH_PORT: String(ports.sip),
      MIND_SIP_GATEWAY_ID: `sip-${randomBytes(3).toString('hex')}`,
      MIND_STORAGE_DIR: mkdtempSync(join(tmpdir(), 'mind-storage-')),
      MIND_MEDIA_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'mind-spool-')),
      MIND_DEMO_API_URL: `http://127.0.0.1:${ports.gateway}`,
      MIND_MEDIA_NODE_ID: `node-${randomBytes(3).toString('hex')}`,
      MIND_MEDIA_WORKERS: '1',
      DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://mind:mind@127.0.0.1:5432/mind_test',
      MIND_NATS_PREFIX: `t${randomBytes(5).toString('hex')}`,
      MIND_EXPIRY_SWEEP_MS: '1000',
      // Every test comes from 127.0.0.1, and some check hundreds of refusals: the rate limits are
      // tested on their own (hardening.test.ts).
      MIND_RATE_FAILED_AUTH_PER_IP: '1000000',
      MIND_RATE_OFFERS_PER_TOKEN: '1000000',
      MIND_RATE_MESSAGES_PER_TOKEN: '1000000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...overrides,
    };
    const platform = new Platform(env, ports);
    try {
      // The conference service migrates the database: start it first, then the others together.
      await platform.startService('conference');
      const started = await Promise.allSettled([
        platform.startService('notifier'),
        platform.startService('gateway'),
        ...(options.media ? [platform.startService('media')] : []),
      ]);
      const failed = started.find((start) => start.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (error) {
      // What did start stops here: left running, it would serve (and end conferences in) the shared
      // database for the test files that come after.
      await platform.close().catch(() => undefined);
      throw error;
    }
    return platform;
  }

  async startService(name: ServiceName, extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    await this.startProcess(name, name, extraEnv, this.healthUrl(name));
  }

  /**
   * Starts one more instance of a service next to the first (scale-out), on ports of its own.
   * Returns its base URL; `extraEnv` may point it elsewhere (e.g. a gateway at another notifier).
   */
  async startExtraInstance(
    name: ServiceName,
    label: string,
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<string> {
    const port = await freePort();
    const portVariable = HEALTH_PORT_VARIABLE[name];
    const url = `http://127.0.0.1:${port}`;
    // An extra gateway serves no metrics (the first one's port is taken).
    const ports = {
      [portVariable]: String(port),
      ...(name === 'gateway' ? { MIND_GATEWAY_METRICS_PORT: '0' } : {}),
    };
    await this.startProcess(`${name}#${label}`, name, { ...ports, ...extraEnv }, url);
    return url;
  }

  private async startProcess(key: string, name: ServiceName, extraEnv: NodeJS.ProcessEnv, healthUrl: string) {
    const child = spawn(process.execPath, [join(ROOT, `dist/apps/${name}/src/main.js`)], {
      env: { ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    this.logs.set(key, lines);
    const keep = (chunk: Buffer) => {
      lines.push(chunk.toString());
      this.logged.set(key, (this.logged.get(key) ?? 0) + 1);
      if (lines.length > 200) lines.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.children.set(key, child);
    await this.waitReady(key, child, healthUrl);
  }

  /** Stops a service: SIGTERM for a graceful stop, SIGKILL to simulate a crash. */
  async stopService(name: ServiceName | string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
    this.children.delete(name);
  }

  isRunning(name: ServiceName | string): boolean {
    const child = this.children.get(name);
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /**
   * The processes a running service started (its direct children, e.g. ffmpeg), read from /proc: a
   * test stops one by its PID, never by a name pattern that could hit someone else's process.
   */
  childrenOf(name: ServiceName): { pid: number; command: string; startedAt: number }[] {
    const parent = this.children.get(name)?.pid;
    if (parent === undefined) return [];
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((entry) => {
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          // Fields after the command: state, ppid, ... and the start time (in clock ticks) 20th.
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (Number(fields[1]) !== parent) return [];
          const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
          return [{ pid: Number(entry), command, startedAt: Number(fields[19]) }];
        } catch {
          return []; // gone meanwhile
        }
      });
  }

  logsOf(name: string): string {
    return (this.logs.get(name) ?? []).join('');
  }

  /** A service's kept log lines, parsed (pino JSON; a line cut at the start of what is kept is skipped). */
  logEntries(name: string): Record<string, unknown>[] {
    return this.logsOf(name)
      .split('\n')
      .flatMap((line) => {
        try {
          return line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      });
  }

  /** How far each service's log is now, to find what it logged after (`errorsSince`). */
  logMarks(): Map<string, number> {
    return new Map(this.logged);
  }

  /** The error and fatal lines (pino levels 50, 60) services logged since `marks`, by service. */
  errorsSince(marks: Map<string, number>): Record<string, string[]> {
    const found: Record<string, string[]> = {};
    for (const [name, lines] of this.logs) {
      const since = (this.logged.get(name) ?? 0) - (marks.get(name) ?? 0);
      const errors = lines
        .slice(Math.max(0, lines.length - since))
        .join('')
        .split('\n')
        .filter((line) => /"level":(50|60)\b/.test(line));
      if (errors.length > 0) found[name] = errors.slice(0, 20);
    }
    return found;
  }

  healthUrl(name: ServiceName): string {
    return `http://127.0.0.1:${this.healthPorts[name]}`;
  }

  /** Creates an application with the operator CLI, as an operator would. */
  /** Runs an operator command (`npm run app:*`) against this platform; its JSON output. */
  async operator(...args: string[]): Promise<unknown> {
    const cli = join(ROOT, 'dist/apps/conference/src/cli.js');
    const { stdout } = await run(process.execPath, [cli, ...args], { env: this.env });
    return JSON.parse(stdout);
  }

  async createApplication(options: { maxParticipants?: number; maxDuration?: number; name?: string } = {}) {
    const args = ['create-application'];
    if (options.name) args.push('--name', options.name);
    if (options.maxParticipants) args.push('--max-participants', String(options.maxParticipants));
    if (options.maxDuration) args.push('--max-duration', String(options.maxDuration));
    return (await this.operator(...args)) as {
      id: string;
      token: string;
      maxParticipants: number;
      maxDurationSeconds: number;
    };
  }

  /** A connection to the platform's NATS, with its credentials. */
  nats(): Promise<NatsConnection> {
    return connect(natsConnectionOptions(loadConfig(this.env).nats));
  }

  async close(): Promise<void> {
    await Promise.all([...this.children.keys()].map((key) => this.stopService(key)));
    const nc = await this.nats();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(eventStreamName(this.env.MIND_NATS_PREFIX!)).catch(() => undefined);
    await nc.close();
    for (const dir of [this.env.MIND_STORAGE_DIR!, this.env.MIND_MEDIA_SPOOL_DIR!]) {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async waitReady(name: string, child: ChildProcess, healthUrl: string) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${this.logsOf(name)}`);
      try {
        const response = await fetch(`${healthUrl}/readyz`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${name} did not become ready:\n${this.logsOf(name)}`);
  }
}
