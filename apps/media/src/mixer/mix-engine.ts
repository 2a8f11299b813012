import type { Layout } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { FRAME_MS, LoudestSpeaker, levelDbov, mixFor, sumFrames } from './audio-mix';
import { Decoder, type VideoShape } from './decoder';
import type { DecoderSource } from './decoder-input';
import { Encoder } from './encoder';
import { BLACK, I420Frame } from './i420-frame';
import type { Source } from '@mind/contracts';
import { arrangeTiles, type MixedParticipant } from './layout';
import {
  inputKey,
  type CompositionOptions,
  type FromMixThread,
  type MixOutput,
  type MixStats,
  type ToMixThread,
} from './mix-protocol';
import { NameCards } from './name-card';

/**
 * A camera that has sent no picture for this long counts as stopped: the name card replaces it. A
 * shared screen keeps its last picture (browsers send a still screen at a frame now and then).
 */
const STALE_CAMERA_MS = 1000;
/** A decoder restarted for a new tile size shows its last picture meanwhile, for at most this long. */
const RESTART_GRACE_MS = 3000;
const GREY = { y: 60, u: 128, v: 128 };

/**
 * The mixing itself, on the mixing thread: decoders for the streams the main thread opens, the picture
 * composed by layout and the audio mixed on steady clocks, and the encoders that send the results to
 * the router. It knows nothing of mediasoup; the main thread tells it what to decode and where to send.
 */
export class MixEngine {
  private readonly decoders = new Map<string, Decoder>();
  private readonly encoders = new Map<string, { encoder: Encoder; output: MixOutput }>();
  private readonly canvas: I420Frame;
  private readonly cards: NameCards;
  private readonly loudest = new LoudestSpeaker();
  private readonly timers: NodeJS.Timeout[] = [];
  private layout: Layout = 'mosaic';
  private participants: MixedParticipant[] = [];
  private closed = false;
  /** Pictures composed, those skipped to catch up with real time after a stall, and those dropped. */
  private readonly frames: MixStats['frames'] = { composed: 0, skipped: 0, dropped: 0 };

  constructor(
    private readonly options: CompositionOptions,
    private readonly logger: Logger,
    private readonly tell: (event: FromMixThread) => void,
  ) {
    this.canvas = new I420Frame(options.width, options.height);
    this.cards = new NameCards({ width: options.width / 2, height: options.height / 2 }, logger);
    this.startClocks();
  }

  handle(message: ToMixThread): void {
    if (this.closed) return;
    switch (message.type) {
      case 'roster':
        this.layout = message.layout;
        this.participants = message.participants;
        break;
      case 'openInput':
        this.openInput(
          message.key,
          message.serial,
          message.input,
          message.kind === 'video' ? message.source : null,
        );
        break;
      case 'closeInput':
        this.closeInput(message.key);
        break;
      case 'openOutput':
        this.openOutput(message.id, message.output, message.encoderArgs);
        break;
      case 'closeOutput':
        this.closeOutput(message.id);
        break;
      case 'stats':
        this.tell({ type: 'stats', request: message.request, stats: this.stats() });
        break;
      case 'stop':
        this.close();
        break;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const decoder of this.decoders.values()) decoder.close();
    for (const { encoder } of this.encoders.values()) encoder.close();
  }

  private stats(): MixStats {
    const now = Date.now();
    const videoInputs: Record<string, boolean> = {};
    for (const [key, decoder] of this.decoders) {
      if (key.endsWith('/video'))
        videoInputs[key] = decoder.latest !== null && now - decoder.latest.at < STALE_CAMERA_MS;
    }
    return { videoInputs, frames: { ...this.frames } };
  }

  /** Opens a decoder: for video (`source` given), straight at the size of its tile if it has one. */
  private openInput(key: string, serial: number, input: DecoderSource, source: Source | null) {
    this.closeInput(key);
    const tile = source && this.tiles().find((t) => inputKey(t.participantId, t.source, 'video') === key);
    const shape = tile
      ? { width: tile.rect.width, height: tile.rect.height, fit: tile.fit }
      : source && this.defaultShape(source);
    const decoder = new Decoder(input, shape, this.logger.child({ mixerInput: key }));
    this.decoders.set(key, decoder);
    decoder.on('picture', () => this.tell({ type: 'inputPicture', key, serial }));
    decoder.on('restarted', () => this.tell({ type: 'inputRestarted', key, serial }));
    // A decoder that ends by itself is reported; one closed on request is not.
    decoder.once('closed', () => {
      if (this.decoders.get(key) !== decoder) return;
      this.decoders.delete(key);
      if (!this.closed) this.tell({ type: 'inputEnded', key, serial });
    });
  }

  private closeInput(key: string) {
    const decoder = this.decoders.get(key);
    this.decoders.delete(key);
    decoder?.close();
  }

  private openOutput(id: string, output: MixOutput, encoderArgs: string[]) {
    this.closeOutput(id);
    const encoder = new Encoder(encoderArgs, this.logger.child({ mixerOutput: id }), () => {
      if (this.encoders.get(id)?.encoder !== encoder) return;
      this.encoders.delete(id);
      if (!this.closed) this.tell({ type: 'outputEnded', id });
    });
    this.encoders.set(id, { encoder, output });
  }

  private closeOutput(id: string) {
    const entry = this.encoders.get(id);
    this.encoders.delete(id);
    entry?.encoder.close();
  }

  /** Video and audio each on a clock that catches up with real time, so that encoders see a steady rate. */
  private startClocks() {
    const every = (
      periodMs: number,
      tick: () => void,
      skipped: (count: number) => void = () => undefined,
    ) => {
      const started = Date.now();
      let done = 0;
      this.timers.push(
        setInterval(() => {
          const due = Math.floor((Date.now() - started) / periodMs);
          // After a long stall, skip ahead rather than burst.
          if (due - done > 10) {
            skipped(due - 1 - done);
            done = due - 1;
          }
          while (done < due) {
            tick();
            done++;
          }
        }, periodMs / 2),
      );
    };
    every(
      1000 / this.options.fps,
      () => {
        this.composeFrame();
        this.frames.composed++;
      },
      (count) => (this.frames.skipped += count),
    );
    every(FRAME_MS, () => this.mixAudio());
  }

  /** Until the layout gives it a tile: a camera at a grid cell of four, a screen full frame. */
  private defaultShape(source: Source): VideoShape {
    const { width, height } = this.options;
    return source === 'primary'
      ? { width: width / 2, height: height / 2, fit: 'cover' }
      : { width, height, fit: 'contain' };
  }

  private tiles() {
    const { width, height } = this.options;
    return arrangeTiles(this.layout, this.participants, this.loudest.speaker, { width, height });
  }

  private composeFrame() {
    const now = Date.now();
    const { width, height } = this.options;
    this.canvas.fill({ x: 0, y: 0, width, height }, BLACK);
    for (const tile of this.tiles()) {
      const decoder = this.decoders.get(inputKey(tile.participantId, tile.source, 'video'));
      decoder?.want({ width: tile.rect.width, height: tile.rect.height, fit: tile.fit }, now);
      const latest = decoder?.latest;
      const restarting = decoder?.waitingSince != null && now - decoder.waitingSince < RESTART_GRACE_MS;
      const fresh =
        latest && (tile.source === 'secondary' || restarting || now - latest.at < STALE_CAMERA_MS);
      const picture = tile.video && fresh ? latest.frame : this.cards.get(tile.name);
      if (picture) this.canvas.draw(picture, tile.rect, 'cover');
      else this.canvas.fill(tile.rect, GREY);
    }
    for (const { encoder, output } of this.encoders.values()) {
      if (output.kind === 'video' && !encoder.write(this.canvas.data)) this.frames.dropped++;
    }
  }

  private mixAudio() {
    const frames = new Map<string, Int16Array>();
    for (const [key, decoder] of this.decoders) {
      const frame = key.endsWith('/audio') ? decoder.takeAudioFrame() : null;
      if (frame) frames.set(key, frame);
    }
    const levels = new Map<string, number>();
    for (const [key, frame] of frames) {
      if (key.endsWith('#primary/audio')) levels.set(key.slice(0, key.indexOf('#')), levelDbov(frame));
    }
    this.loudest.update(levels, Date.now());
    const total = sumFrames(frames.values());
    for (const { encoder, output } of this.encoders.values()) {
      if (output.kind !== 'audio') continue;
      const own = output.without ? frames.get(inputKey(output.without, 'primary', 'audio')) : undefined;
      encoder.write(new Uint8Array(mixFor(total, own).buffer));
    }
  }
}
