import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { types } from 'mediasoup';
import type { Logger } from '@mind/logging';
import { readRecords } from '../mixer/ffmpeg-process';
import { MixedMediaTap } from '../mixer/mixed-media-tap';
import { packetPid, startsKeyFrame, TS_PACKET_SIZE, TS_PID_ARGUMENTS, TS_PIDS } from './transport-stream';

/**
 * One stretch of recording in an MPEG-TS file: from the first video key frame after it began (with
 * the stream's tables in front, so that it plays on its own) to its stop. Holds the mixer while open.
 */
export class RecordingSegment {
  readonly observer = new EventEmitter<{ started: []; close: [] }>();
  private out: WriteStream | null = null;
  private stopping: Promise<boolean> | null = null;

  constructor(readonly file: string) {}

  get isOpen(): boolean {
    return this.stopping === null;
  }

  /** Takes whole packets of the stream; writes nothing until a key frame starts the segment. */
  take(packets: Buffer, tables: Buffer[]): void {
    if (!this.isOpen) return;
    let from = 0;
    if (!this.out) {
      while (from < packets.length && !startsKeyFrame(packets.subarray(from, from + TS_PACKET_SIZE))) {
        from += TS_PACKET_SIZE;
      }
      if (from === packets.length) return;
      this.out = createWriteStream(this.file);
      for (const table of tables) this.out.write(table);
      this.observer.emit('started');
    }
    this.out.write(packets.subarray(from));
  }

  /** Ends the file; true when it holds media (a segment stopped before its first key frame has none). */
  stop(): Promise<boolean> {
    this.stopping ??= new Promise<boolean>((resolve) => {
      const out = this.out;
      if (!out) return resolve(false);
      out.once('error', () => resolve(false));
      out.end(() => resolve(true));
    }).finally(() => this.observer.emit('close'));
    return this.stopping;
  }
}

/**
 * The SDP already says what the streams are. The default probing held the first output back by
 * 1.8-2.9 s, and what ffmpeg queued meanwhile came out with its arrival stamps squashed together;
 * without it, the first output comes with the first key frame. (The RTMP push keeps the default
 * probe: with a short one, its test once saw a push restart.)
 */
const NO_PROBING = ['-analyzeduration', '0', '-probesize', '32768'];

/**
 * The mixed conference media as one MPEG-TS stream (H.264 as mixed, the audio mix as AAC) from an
 * ffmpeg that stays up while the mixer runs. Recording segments are slices of that stream, so a
 * recording resumed after a pause starts at the next key frame, not after an ffmpeg start-up.
 */
export class MixedMediaRecorder {
  readonly observer = new EventEmitter<{ close: [] }>();
  private readonly tables = new Map<number, Buffer>();
  private segment: RecordingSegment | null = null;

  private constructor(private readonly tap: MixedMediaTap) {
    readRecords(tap.ffmpeg.stdout, TS_PACKET_SIZE, (packets) => this.read(packets));
    tap.observer.once('close', () => {
      void this.segment?.stop();
      this.observer.emit('close');
    });
  }

  static async start(
    router: types.Router,
    media: { video: types.Producer; audio: types.Producer },
    logger: Logger,
  ): Promise<MixedMediaRecorder> {
    const tap = await MixedMediaTap.open(
      router,
      media,
      {
        input: NO_PROBING,
        output: [
          ...['-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k'],
          ...['-f', 'mpegts', ...TS_PID_ARGUMENTS, '-flush_packets', '1', 'pipe:1'],
        ],
      },
      logger.child({ recorder: true }),
    );
    return new MixedMediaRecorder(tap);
  }

  /** Starts a segment, or returns the one already recording. */
  record(file: string): RecordingSegment {
    if (!this.segment?.isOpen) this.segment = new RecordingSegment(file);
    return this.segment;
  }

  close(): void {
    this.tap.close();
  }

  private read(packets: Buffer) {
    for (let at = 0; at < packets.length; at += TS_PACKET_SIZE) {
      const pid = packetPid(packets.subarray(at, at + 3));
      if (pid === TS_PIDS.pat || pid === TS_PIDS.pmt) {
        this.tables.set(pid, Buffer.from(packets.subarray(at, at + TS_PACKET_SIZE)));
      }
    }
    this.segment?.take(packets, [...this.tables.values()]);
  }
}
