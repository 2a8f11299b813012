import { createInterface } from 'node:readline';
import type { Logger } from '@mind/logging';
import type { OutboundPolicy } from '@mind/outbound';
import type { ConferenceMixer } from '../mixer/conference-mixer';
import { MixedMediaTap } from '../mixer/mixed-media-tap';

/** Bytes must have left within this long for the push to count as flowing. */
const STALL_MS = 4000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

export interface PushTarget {
  streamingId: string;
  url: string;
}

export interface PushOptions {
  /** Certificates an `rtmps://` destination must be signed by. */
  caFile: string;
  /** Where pushes may go; checked again at each connection (a name may resolve elsewhere by then). */
  destinations: OutboundPolicy;
}

/**
 * Pushes the mixed media to one RTMP(S) destination (H.264 as mixed, AAC) and keeps doing so: when
 * the destination fails, the push is retried with growing back-off, on its own ffmpeg, so it never
 * disturbs other streamings or the recording. `alive` follows whether bytes are leaving.
 */
export class StreamPusher {
  private alive = false;
  private closed = false;
  private tap: MixedMediaTap | null = null;
  private retryMs = RETRY_MIN_MS;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    readonly target: PushTarget,
    private readonly options: PushOptions,
    private readonly mixer: () => Promise<ConferenceMixer>,
    private readonly onAlive: (alive: boolean) => void,
    private readonly logger: Logger,
  ) {
    void this.attempt();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.tap?.close();
    this.setAlive(false);
  }

  private async attempt() {
    if (this.closed) return;
    try {
      const destination = await this.options.destinations.check(this.target.url);
      if (!destination.ok) throw new Error(`destination refused: ${destination.error}`);
      const { scheme, host, pinnedUrl } = destination.target;
      const mixer = await this.mixer();
      if (this.closed) return;
      const tap = await MixedMediaTap.open(
        mixer.sources.router,
        mixer.output,
        {
          output: [
            ...['-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k', '-ar', '44100'],
            ...['-progress', 'pipe:1', '-f', 'flv', '-flvflags', 'no_duration_filesize'],
            // ffmpeg trusts any certificate unless told to check: a stream key must not leak. It
            // connects to the address that was checked, and checks the certificate against the name.
            ...(scheme === 'rtmps'
              ? ['-tls_verify', '1', '-ca_file', this.options.caFile, '-verifyhost', host]
              : []),
            pinnedUrl,
          ],
        },
        this.logger,
        // The path of an RTMP URL holds the stream key.
        [new URL(pinnedUrl).pathname],
      );
      if (this.closed) return tap.close();
      this.tap = tap;
      mixer.hold(tap);
      await this.watch(tap);
    } catch (error) {
      this.logger.warn({ err: error }, 'streaming push could not start');
    }
    this.tap = null;
    this.setAlive(false);
    if (this.closed) return;
    this.retryTimer = setTimeout(() => void this.attempt(), this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  /** Follows ffmpeg's progress reports until it exits (or stalls, which ends it). */
  private async watch(tap: MixedMediaTap) {
    let sent = 0;
    let lastGrowth = Date.now();
    // Progress comes as `key=value` lines; a chunk may end in the middle of one.
    createInterface({ input: tap.ffmpeg.stdout }).on('line', (line) => {
      const size = /^total_size=(\d+)$/.exec(line)?.[1];
      if (size !== undefined && Number(size) > sent) {
        sent = Number(size);
        lastGrowth = Date.now();
        this.setAlive(true);
        this.retryMs = RETRY_MIN_MS;
      }
    });
    const stallCheck = setInterval(() => {
      if (Date.now() - lastGrowth > STALL_MS) {
        this.setAlive(false);
        tap.close();
      }
    }, 1000);
    const code = await tap.exited;
    clearInterval(stallCheck);
    this.logger.info({ code, bytes: sent }, 'streaming push ended');
  }

  private setAlive(alive: boolean) {
    if (this.alive === alive) return;
    this.alive = alive;
    this.logger.info({ alive }, 'streaming push alive changed');
    this.onAlive(alive);
  }
}
