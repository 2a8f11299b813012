import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificates';
import { freePort } from './platform';

const MODULES = '/usr/lib/nginx/modules';

/**
 * A local RTMP server (Debian's nginx with the RTMP module, installed by `npm test`) that records what
 * it receives to FLV files: the destination of streaming tests. RTMPS comes in through TLS fronts
 * (nginx's stream module): one with a certificate the platform is told to trust (`caFile`), one with
 * a certificate nobody vouches for. It can be stopped and started again on the same ports, as a
 * destination that goes away and comes back.
 */
export class RtmpSink {
  private nginx: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly tlsPorts: { trusted: number; untrusted: number },
    private readonly dir: string,
  ) {}

  /** The certificate of the trusted TLS front, as a CA file for the platform. */
  get caFile(): string {
    return join(this.dir, 'trusted.pem');
  }

  static async start(): Promise<RtmpSink> {
    const dir = mkdtempSync(join(tmpdir(), 'mind-rtmp-'));
    for (const sub of ['logs', 'rec', 'tmp']) mkdirSync(join(dir, sub));
    const tlsPorts = { trusted: await freePort(), untrusted: await freePort() };
    const sink = new RtmpSink(await freePort(), tlsPorts, dir);
    for (const name of ['trusted', 'untrusted']) selfSignedCertificate(dir, name);
    const tlsFront = (name: 'trusted' | 'untrusted') =>
      `server { listen 127.0.0.1:${tlsPorts[name]} ssl; proxy_pass 127.0.0.1:${sink.port};
  ssl_certificate ${dir}/${name}.pem; ssl_certificate_key ${dir}/${name}.key; }`;
    writeFileSync(
      join(dir, 'nginx.conf'),
      `load_module ${MODULES}/ngx_rtmp_module.so;
load_module ${MODULES}/ngx_stream_module.so;
daemon off;
# Workers write the recordings into this private (root-owned) directory.
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:${sink.port}; chunk_size 4096;
  application live { live on; record all; record_path ${dir}/rec; record_unique on; } } }
stream { ${tlsFront('trusted')} ${tlsFront('untrusted')} }
http { access_log off; client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp; }
`,
    );
    await sink.resume();
    return sink;
  }

  url(stream: string): string {
    return `rtmp://127.0.0.1:${this.port}/live/${stream}`;
  }

  tlsUrl(stream: string, front: 'trusted' | 'untrusted' = 'trusted'): string {
    return `rtmps://127.0.0.1:${this.tlsPorts[front]}/live/${stream}`;
  }

  /** FLV files recorded so far. */
  recordings(): string[] {
    return readdirSync(join(this.dir, 'rec')).map((name) => join(this.dir, 'rec', name));
  }

  async resume(): Promise<void> {
    this.nginx = spawn('nginx', ['-p', this.dir, '-c', join(this.dir, 'nginx.conf')], { stdio: 'ignore' });
    // Listening once a TCP connection to the port succeeds.
    const { connect } = await import('node:net');
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(this.port, '127.0.0.1', () => (socket.end(), resolve(true)));
        socket.on('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('nginx RTMP sink did not start');
  }

  async stop(): Promise<void> {
    const nginx = this.nginx;
    if (!nginx || nginx.exitCode !== null) return;
    const exited = once(nginx, 'exit');
    nginx.kill('SIGTERM');
    await exited;
    this.nginx = null;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
