import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificates';
import { freePort } from './platform';

/**
 * A NATS server of the test's own (JetStream, a user and password, TLS only), for checking that the
 * platform runs against such a server: the environment the services get to reach it is `env`.
 */
export class TlsNatsServer {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(): Promise<TlsNatsServer> {
    const dir = mkdtempSync(join(tmpdir(), 'mind-nats-'));
    const { cert, key } = selfSignedCertificate(dir, 'server');
    const port = await freePort();
    const password = `pw${Date.now()}`;
    writeFileSync(
      join(dir, 'nats.conf'),
      [
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: "${dir}/jetstream" }`,
        `authorization { user: platform, password: "${password}" }`,
        `tls { cert_file: "${cert}", key_file: "${key}" }`,
      ].join('\n'),
    );
    const child = spawn('nats-server', ['-c', join(dir, 'nats.conf')], { stdio: 'ignore' });
    const server = new TlsNatsServer(child, dir, {
      NATS_URL: `nats://127.0.0.1:${port}`,
      MIND_NATS_USER: 'platform',
      MIND_NATS_PASSWORD: password,
      MIND_NATS_TLS_CA_FILE: cert,
    });
    for (let i = 0; i < 100; i++) {
      if (await listening(port)) return server;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await server.close();
    throw new Error('nats-server did not start');
  }

  async close(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = once(this.process, 'exit');
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connectTcp(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
