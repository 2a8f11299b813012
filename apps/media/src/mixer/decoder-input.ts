import { createSocket, type Socket } from 'node:dgram';
import type { Writable } from 'node:stream';
import type { Logger } from '@mind/logging';
import { SDP_INPUT } from './plain-rtp';
import { ivfFrame, ivfHeader, Vp9Depacketizer } from './vp9-depacketizer';

/** How a mixer decoder receives its stream; the main thread, which opens the RTP leg, decides. */
export type DecoderSource =
  /** ffmpeg reads the RTP an SDP describes (VP8, H264, Opus). */
  | { kind: 'sdp'; sdp: string }
  /** VP9 RTP on a local port, reassembled in this process: ffmpeg's RTP reader cannot take WebRTC's SVC. */
  | { kind: 'vp9'; port: number };

/** Where a decoder's ffmpeg reads from: its input arguments, and what feeds each ffmpeg it starts. */
export interface DecoderInput {
  args: string[];
  feed(stdin: Writable): void;
  close(): void;
}

export function decoderInput(source: DecoderSource, logger: Logger): DecoderInput {
  return source.kind === 'sdp'
    ? {
        args: ['-reorder_queue_size', '64', ...SDP_INPUT],
        feed: (stdin) => stdin.end(source.sdp),
        close: () => undefined,
      }
    : new Vp9Input(source.port, logger);
}

/**
 * VP9 pictures from RTP on a port, written as IVF to the current ffmpeg from its first key frame on
 * (a restarted ffmpeg waits for the key frame the mixer asks for).
 */
class Vp9Input implements DecoderInput {
  readonly args = ['-f', 'ivf', '-i', 'pipe:0'];
  private readonly socket: Socket;
  private readonly depacketizer = new Vp9Depacketizer();
  private target: { stdin: Writable; started: boolean } | null = null;
  private last: { timestamp: number; pts: number } | null = null;

  constructor(port: number, logger: Logger) {
    this.socket = createSocket('udp4');
    this.socket.on('error', (error) => logger.warn({ err: error, port }, 'VP9 input socket failed'));
    this.socket.on('message', (packet) => this.receive(packet));
    this.socket.bind(port, '127.0.0.1');
  }

  feed(stdin: Writable): void {
    stdin.write(ivfHeader(0, 0));
    this.target = { stdin, started: false };
  }

  close(): void {
    this.target = null;
    this.socket.close();
  }

  private receive(packet: Buffer) {
    const frame = this.depacketizer.push(packet);
    if (!frame) return;
    // IVF timestamps only grow: RTP's wrap around.
    const step = this.last ? (frame.timestamp - this.last.timestamp) >>> 0 : 0;
    const pts = (this.last?.pts ?? 0) + (step < 2 ** 31 ? step : 0);
    this.last = { timestamp: frame.timestamp, pts };
    const target = this.target;
    if (!target || (!target.started && !frame.keyFrame)) return;
    target.started = true;
    target.stdin.write(ivfFrame(frame.data, pts));
  }
}
