import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import type { ConferenceResource, Layout, Notification, ParticipantResource } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { streamKey } from '../labels';
import { FRAME_MS, LoudestSpeaker, levelDbov, mixFor, sumFrames } from './audio-mix';
import { BLACK, I420Frame } from './i420-frame';
import { arrangeTiles, mixes, type MixedParticipant, type Source } from './layout';
import { NameCards } from './name-card';
import { RtpInput, type VideoShape } from './rtp-input';
import { RtpOutput } from './rtp-output';

export interface MixerOptions {
  width: number;
  height: number;
  fps: number;
  videoBitrate: number;
  audioBitrate: number;
  /** How long the mixer outlives its last user (subscriber, recording, streaming). */
  idleStopMs: number;
}

export interface Roster {
  layout: Layout;
  participants: ParticipantResource[];
}

/** Where the mixer finds what participants publish. */
export interface MixerSources {
  router: types.Router;
  producerOf(key: string, kind: types.MediaKind): types.Producer | undefined;
}

/** Something that keeps the mixer running until it closes (a consumer, a recording, a stream). */
export interface MixerUser {
  observer: { once(event: 'close', listener: () => void): unknown };
}

export interface ConferenceMixerEvents {
  closed: [];
}

/**
 * A camera that has sent no picture for this long counts as stopped: the name card replaces it. A
 * shared screen keeps its last picture (browsers send a still screen at a frame now and then).
 */
const STALE_CAMERA_MS = 1000;
const GREY = { y: 60, u: 128, v: 128 };
const INPUT_RETRY_MS = 2000;

/**
 * The MCU of one conference: decodes the media that roles allow into the mix (ffmpeg per stream),
 * composes the picture by the conference's layout and mixes the audio in TypeScript on a steady clock,
 * and encodes them once (H.264, Opus) into producers of the conference's router. A listener whose own
 * voice is in the mix gets an audio producer of its own without it. Inputs come and go without
 * touching the outputs, so joins, leaves, mutes and layout changes never restart the mixed stream.
 */
export class ConferenceMixer extends EventEmitter<ConferenceMixerEvents> {
  private readonly participants = new Map<string, ParticipantResource>();
  /** Decoders by `<participantId>#<source>/<kind>`; `input` is set once ffmpeg runs. */
  private readonly inputs = new Map<string, { producerId: string; input?: RtpInput }>();
  private readonly listenerAudio = new Map<string, { ready: Promise<RtpOutput>; output?: RtpOutput }>();
  private readonly canvas: I420Frame;
  private readonly cards: NameCards;
  private readonly loudest = new LoudestSpeaker();
  private readonly timers: NodeJS.Timeout[] = [];
  private layout: Layout;
  private users = 0;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly sources: MixerSources,
    roster: Roster,
    private readonly video: RtpOutput,
    private readonly audio: RtpOutput,
    private readonly options: MixerOptions,
    private readonly logger: Logger,
  ) {
    super();
    this.layout = roster.layout;
    for (const participant of roster.participants) this.participants.set(participant.id, participant);
    this.canvas = new I420Frame(options.width, options.height);
    this.cards = new NameCards({ width: options.width / 2, height: options.height / 2 }, logger);
    sources.router.observer.on('close', () => this.close());
  }

  static async start(
    sources: MixerSources,
    roster: Roster,
    options: MixerOptions,
    logger: Logger,
  ): Promise<ConferenceMixer> {
    const video = await RtpOutput.video(
      sources.router,
      { width: options.width, height: options.height, fps: options.fps, bitrate: options.videoBitrate },
      logger,
    );
    const audio = await RtpOutput.audio(sources.router, options.audioBitrate, logger).catch((error) => {
      video.close();
      throw error;
    });
    const mixer = new ConferenceMixer(sources, roster, video, audio, options, logger);
    mixer.startClocks();
    mixer.sourcesChanged();
    mixer.scheduleIdleStop();
    logger.info({ ...options }, 'mixer started');
    return mixer;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get videoProducer(): types.Producer {
    return this.video.producer;
  }

  /** Everyone's voice: what recordings, streams and listeners outside the mix get. */
  get fullAudioProducer(): types.Producer {
    return this.audio.producer;
  }

  /** The mixed picture and everyone's voice, as recordings and streams take them. */
  get output(): { video: types.Producer; audio: types.Producer } {
    return { video: this.video.producer, audio: this.audio.producer };
  }

  /** The mixed audio a listener hears: the full mix, or the mix without its own voice. */
  async audioProducerFor(listenerId: string): Promise<types.Producer> {
    const listener = this.participants.get(listenerId);
    if (!listener || !mixes(listener.role, 'primary')) return this.fullAudioProducer;
    let entry = this.listenerAudio.get(listenerId);
    if (!entry) {
      const ready = RtpOutput.audio(this.sources.router, this.options.audioBitrate, this.logger);
      const created: { ready: Promise<RtpOutput>; output?: RtpOutput } = { ready };
      this.listenerAudio.set(listenerId, (entry = created));
      ready.then(
        (output) => (this.closed ? output.close() : (created.output = output)),
        () => this.listenerAudio.delete(listenerId),
      );
    }
    return (await entry.ready).producer;
  }

  /** Counts a user (a consumer of the mixed media, a recording, a stream) until it closes. */
  hold(user: MixerUser): void {
    this.users++;
    clearTimeout(this.idleTimer);
    user.observer.once('close', () => {
      this.users--;
      this.scheduleIdleStop();
    });
  }

  /** A participant or the conference changed (from the conference's event stream). */
  apply(notification: Notification): void {
    const participant = /^\/participants\/([0-9a-f-]+)$/.exec(notification.location)?.[1];
    if (participant) {
      if (notification.type === 'deleted') this.participants.delete(participant);
      else this.participants.set(participant, notification.resource as ParticipantResource);
    } else if (notification.location === '/' && notification.resource) {
      this.layout = (notification.resource as ConferenceResource).layout;
    }
    this.sourcesChanged();
  }

  /** Opens decoders for the streams that may enter the mix and closes the others. */
  sourcesChanged(): void {
    if (this.closed) return;
    const wanted = new Map<string, { producer: types.Producer; shape: VideoShape | null }>();
    for (const participant of this.participants.values()) {
      if (!participant.online) continue;
      for (const source of ['primary', 'secondary'] as const) {
        if (!mixes(participant.role, source)) continue;
        for (const kind of ['audio', 'video'] as const) {
          const producer = this.sources.producerOf(streamKey(participant.id, source), kind);
          if (!producer || producer.closed) continue;
          wanted.set(inputKey(participant.id, source, kind), { producer, shape: this.shapeOf(source) });
        }
      }
    }
    for (const [key, entry] of this.inputs) {
      if (wanted.get(key)?.producer.id === entry.producerId && !entry.input?.isClosed) continue;
      this.inputs.delete(key);
      entry.input?.close();
    }
    for (const [key, { producer, shape }] of wanted) {
      if (this.inputs.has(key)) continue;
      const entry: { producerId: string; input?: RtpInput } = { producerId: producer.id };
      this.inputs.set(key, entry);
      RtpInput.open(
        this.sources.router,
        producer,
        producer.kind === 'video' ? shape : null,
        this.logger,
      ).then(
        (input) => {
          if (this.inputs.get(key) === entry && !this.closed) entry.input = input;
          else input.close();
        },
        (error) => {
          if (this.inputs.get(key) === entry) this.inputs.delete(key);
          this.logger.warn({ err: error, key }, 'mixer input could not be opened');
        },
      );
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.idleTimer);
    for (const { input } of this.inputs.values()) input?.close();
    this.inputs.clear();
    for (const { output } of this.listenerAudio.values()) output?.close();
    this.video.close();
    this.audio.close();
    this.logger.info('mixer stopped');
    this.emit('closed');
  }

  private shapeOf(source: Source): VideoShape {
    const { width, height } = this.options;
    return source === 'primary'
      ? { width: width / 2, height: height / 2, fit: 'cover' }
      : { width, height, fit: 'contain' };
  }

  private scheduleIdleStop() {
    clearTimeout(this.idleTimer);
    if (this.users > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => this.close(), this.options.idleStopMs);
  }

  /** Video and audio each on a clock that catches up with real time, so that encoders see a steady rate. */
  private startClocks() {
    const every = (periodMs: number, tick: () => void) => {
      const started = Date.now();
      let done = 0;
      this.timers.push(
        setInterval(() => {
          const due = Math.floor((Date.now() - started) / periodMs);
          // After a long stall, skip ahead rather than burst.
          if (due - done > 10) done = due - 1;
          while (done < due) {
            tick();
            done++;
          }
        }, periodMs / 2),
      );
    };
    every(1000 / this.options.fps, () => this.composeFrame());
    every(FRAME_MS, () => this.mixAudio());
    // A decoder that died (e.g. its port was taken before ffmpeg bound it) is opened again.
    this.timers.push(setInterval(() => this.sourcesChanged(), INPUT_RETRY_MS));
  }

  private latestInputs(kind: 'audio' | 'video') {
    const ready = new Map<string, RtpInput>();
    for (const [key, { input }] of this.inputs) {
      if (key.endsWith(`/${kind}`) && input && !input.isClosed) ready.set(key, input);
    }
    return ready;
  }

  private composeFrame() {
    const now = Date.now();
    const { width, height } = this.options;
    this.canvas.fill({ x: 0, y: 0, width, height }, BLACK);
    const videos = this.latestInputs('video');
    const tiles = arrangeTiles(this.layout, this.mixedParticipants(), this.loudest.speaker, {
      width,
      height,
    });
    for (const tile of tiles) {
      const latest = videos.get(inputKey(tile.participantId, tile.source, 'video'))?.latest;
      const fresh = latest && (tile.source === 'secondary' || now - latest.at < STALE_CAMERA_MS);
      const picture = tile.video && fresh ? latest.frame : this.cards.get(tile.name);
      if (picture) this.canvas.draw(picture, tile.rect, 'cover');
      else this.canvas.fill(tile.rect, GREY);
    }
    this.video.write(this.canvas.data);
  }

  private mixAudio() {
    const frames = new Map<string, Int16Array>();
    for (const [key, input] of this.latestInputs('audio')) {
      const frame = input.takeAudioFrame();
      if (frame) frames.set(key, frame);
    }
    const levels = new Map<string, number>();
    for (const [key, frame] of frames) {
      if (key.endsWith('#primary/audio')) levels.set(key.slice(0, key.indexOf('#')), levelDbov(frame));
    }
    this.loudest.update(levels, Date.now());
    const total = sumFrames(frames.values());
    this.audio.write(new Uint8Array(mixFor(total).buffer));
    for (const [listenerId, { output }] of this.listenerAudio) {
      const own = frames.get(inputKey(listenerId, 'primary', 'audio'));
      output?.write(new Uint8Array(mixFor(total, own).buffer));
    }
  }

  private mixedParticipants(): MixedParticipant[] {
    return [...this.participants.values()].map((p) => ({
      id: p.id,
      name: p.name,
      role: p.role,
      priority: p.priority,
      online: p.online,
      primaryAudio: p.media.audio,
      primaryVideo: p.media.video,
      secondaryVideo: p.secondaryMedia.video,
    }));
  }
}

const inputKey = (participantId: string, source: Source, kind: types.MediaKind) =>
  `${streamKey(participantId, source)}/${kind}`;
