import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '@mind/logging';

export interface FfmpegEvents {
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

/**
 * One ffmpeg child process with piped stdin/stdout. Its stderr (warnings only) goes to the log with
 * the process's role; `close()` ends it (SIGTERM, then SIGKILL) and is idempotent.
 */
export class FfmpegProcess extends EventEmitter<FfmpegEvents> {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private exited = false;

  constructor(
    args: string[],
    private readonly logger: Logger,
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
      if (warnings++ < 20) this.logger.debug({ ffmpeg: text.trim().slice(0, 500) }, 'ffmpeg says');
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
 * Reads fixed-size records from a stream (raw frames, PCM blocks) without copying more than once.
 */
export function readRecords(stream: Readable, size: number, onRecord: (record: Buffer) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  stream.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < size) return;
    let all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    while (all.length >= size) {
      onRecord(all.subarray(0, size));
      all = all.subarray(size);
    }
    pending = all.length ? [all] : [];
    pendingBytes = all.length;
  });
}
