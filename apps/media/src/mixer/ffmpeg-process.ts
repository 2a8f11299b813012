import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '@mind/logging';

export interface FfmpegEvents {
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

/**
 * One ffmpeg child process with piped stdin/stdout. Its stderr (warnings only) goes to the log with
 * the process's role, `secrets` (e.g. a stream key) masked; `close()` ends it (SIGTERM, then SIGKILL)
 * and is idempotent.
 */
export class FfmpegProcess extends EventEmitter<FfmpegEvents> {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private exited = false;

  constructor(
    args: string[],
    private readonly logger: Logger,
    secrets: readonly string[] = [],
  ) {
    super();
    this.child = spawn('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'warning', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Writing to a process that has just died must not crash the node.
    this.child.stdin.on('error', () => undefined);
    this.child.stdout.on('error', () => undefined);
    let warnings = 0;
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => {
      // ffmpeg repeats some warnings per packet; a few are enough to diagnose.
      if (warnings++ >= 20) return;
      const masked = secrets.reduce((said, secret) => said.split(secret).join('***'), text.trim());
      this.logger.debug({ ffmpeg: masked.slice(0, 500) }, 'ffmpeg says');
    });
    this.child.on('error', (error) => this.logger.error({ err: error }, 'ffmpeg could not start'));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.emit('exit', code, signal);
    });
  }

  get stdin(): Writable {
    return this.child.stdin;
  }

  get stdout(): Readable {
    return this.child.stdout;
  }

  get running(): boolean {
    return !this.exited;
  }

  close(): void {
    if (this.exited) return;
    this.child.stdin.destroy();
    this.child.kill('SIGTERM');
    setTimeout(() => this.exited || this.child.kill('SIGKILL'), 2000).unref();
  }
}

/**
 * Reads a stream of fixed-size records (raw frames, MPEG-TS packets) without copying more than once:
 * each time whole records have arrived, hands them over together (a multiple of `size` bytes).
 */
export function readRecords(stream: Readable, size: number, onRecords: (records: Buffer) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  stream.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < size) return;
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    const whole = all.length - (all.length % size);
    onRecords(all.subarray(0, whole));
    pending = whole < all.length ? [all.subarray(whole)] : [];
    pendingBytes = all.length - whole;
  });
}
