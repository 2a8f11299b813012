import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import {
  entersMix,
  type Layout,
  type ParticipantResource,
  type ResourceChange,
  type Source,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { meter } from '@mind/telemetry';
import { streamKey } from '../labels';
import type { MixedParticipant } from './layout';
import { inputKey, type FromMixThread, type MixOutput, type MixStats } from './mix-protocol';
import { MixThread } from './mix-thread-handle';
import { decoderSource, openPlainRtpLeg, type PlainRtpLeg } from './plain-rtp';
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
  /** What a consumer consumes: an output made for some listeners lives as long as its consumers. */
  producerId?: string;
}

/**
 * An output encoded only while someone consumes it: the mix without one listener's voice, or the
 * mixed video in VP8 for those who cannot decode H.264.
 */
interface OnDemandOutput {
  ready: Promise<RtpOutput>;
  output?: RtpOutput;
  consumers: number;
}

export interface ConferenceMixerEvents {
  closed: [];
}

const INPUT_RETRY_MS = 2000;
const KEY_FRAME_RETRY_MS = 1000;
/** ffmpeg needs a moment to open its UDP ports before media may flow to them. */
const DECODER_START_MS = 300;
const FRAMES_COUNT_MS = 5000;

/** Every mixer's frames, counted on the main thread (the mixing thread has no telemetry of its own). */
const mixerFrames = {
  composed: meter().createCounter('mind.mixer.frames', { description: 'Mixed pictures composed' }),
  skipped: meter().createCounter('mind.mixer.frames.skipped', {
    description: 'Mixed pictures skipped to catch up with real time (the CPU could not keep up)',
  }),
  dropped: meter().createCounter('mind.mixer.frames.dropped', {
    description: 'Mixed pictures a video encoder did not take, still busy with earlier ones',
  }),
};

/** A stream of the mix: a producer's RTP on its way to the mixing thread's decoder. */
interface MixerInput {
  producerId: string;
  serial: number;
  leg?: PlainRtpLeg;
  keyFrameTimer?: NodeJS.Timeout;
}

/**
 * The MCU of one conference. This side owns the mediasoup part: PlainTransport legs that send the
 * media that roles allow into the mix, and the producers the mixed media comes back on (H.264 and
 * Opus, encoded once; a listener whose own voice is in the mix gets an audio producer of its own
 * without it). Decoding, composing by layout, mixing and encoding run on a mixing thread of their
 * own (MixEngine), so a busy mix never delays signalling. Inputs come and go without touching the
 * outputs, so joins, leaves, mutes and layout changes never restart the mixed stream.
 */
export class ConferenceMixer extends EventEmitter<ConferenceMixerEvents> {
  private readonly participants = new Map<string, ParticipantResource>();
  private readonly inputs = new Map<string, MixerInput>();
  /** By the mixing thread's output id. */
  private readonly onDemand = new Map<string, OnDemandOutput>();
  private readonly retryTimer: NodeJS.Timeout;
  private readonly framesTimer: NodeJS.Timeout;
  /** The thread's frame counts last reported as metrics. */
  private framesCounted: MixStats['frames'] = { composed: 0, skipped: 0, dropped: 0 };
  private layout: Layout;
  private serials = 0;
  private requests = 0;
  private users = 0;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly sources: MixerSources,
    roster: Roster,
    private readonly thread: MixThread,
    private readonly video: RtpOutput,
    private readonly audio: RtpOutput,
    private readonly options: MixerOptions,
    private readonly logger: Logger,
  ) {
    super();
    this.layout = roster.layout;
    for (const participant of roster.participants) this.participants.set(participant.id, participant);
    thread.on('event', (event) => this.onThreadEvent(event));
    thread.on('exit', () => this.close());
    sources.router.observer.on('close', () => this.close());
    thread.send({
      type: 'openOutput',
      id: 'video',
      output: { kind: 'video' },
      encoderArgs: video.encoderArgs,
    });
    thread.send({
      type: 'openOutput',
      id: 'audio',
      output: { kind: 'audio' },
      encoderArgs: audio.encoderArgs,
    });
    // A decoder that died (its ffmpeg failed) is opened again.
    this.retryTimer = setInterval(() => this.sourcesChanged(), INPUT_RETRY_MS);
    this.framesTimer = setInterval(() => void this.countFrames(), FRAMES_COUNT_MS);
  }

  static async start(
    sources: MixerSources,
    roster: Roster,
    options: MixerOptions,
    logger: Logger,
  ): Promise<ConferenceMixer> {
    const { width, height, fps } = options;
    const video = await RtpOutput.video(sources.router, {
      width,
      height,
      fps,
      bitrate: options.videoBitrate,
    });
    const audio = await RtpOutput.audio(sources.router, options.audioBitrate).catch((error) => {
      video.close();
      throw error;
    });
    const thread = new MixThread(
      { options: { width, height, fps }, logLevel: logger.level, logBindings: logger.bindings() },
      logger,
    );
    const mixer = new ConferenceMixer(sources, roster, thread, video, audio, options, logger);
    mixer.rosterChanged();
    mixer.scheduleIdleStop();
    logger.info({ ...options }, 'mixer started');
    return mixer;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The mixed picture and everyone's voice: what recordings, streams and listeners outside the mix get. */
  get output(): { video: types.Producer; audio: types.Producer } {
    return { video: this.video.producer, audio: this.audio.producer };
  }

  /**
   * The mixed audio a listener hears, never with its own voice: the mix without it for a listener
   * whose voice is mixed or who sends a voice at all (a role change may put it in the mix without a
   * new offer), everyone's for the others.
   */
  async audioProducerFor(listenerId: string): Promise<types.Producer> {
    const listener = this.participants.get(listenerId);
    const speaks = this.sources.producerOf(streamKey(listenerId, 'primary'), 'audio') !== undefined;
    if (!listener || !(entersMix(listener.role, 'primary') || speaks)) return this.audio.producer;
    return this.producerOnDemand(
      `${LISTENER_OUTPUT}${listenerId}`,
      { kind: 'audio', without: listenerId },
      () => RtpOutput.audio(this.sources.router, this.options.audioBitrate),
    );
  }

  /** The mixed picture in H.264, or in VP8 for a subscriber that cannot decode H.264. */
  async videoProducerFor(rtpCapabilities: types.RtpCapabilities): Promise<types.Producer> {
    const { router } = this.sources;
    if (router.canConsume({ producerId: this.video.producer.id, rtpCapabilities }))
      return this.video.producer;
    const { width, height, fps, videoBitrate: bitrate } = this.options;
    return this.producerOnDemand(VP8_OUTPUT, { kind: 'video' }, () =>
      RtpOutput.video(router, { width, height, fps, bitrate }, 'VP8'),
    );
  }

  /** An output of the mixing thread that is encoded while consumers of its producer exist. */
  private async producerOnDemand(id: string, mix: MixOutput, open: () => Promise<RtpOutput>) {
    let entry = this.onDemand.get(id);
    if (!entry) {
      const created: OnDemandOutput = { ready: open(), consumers: 0 };
      this.onDemand.set(id, (entry = created));
      created.ready.then(
        (output) => {
          if (this.closed || this.onDemand.get(id) !== created) return output.close();
          created.output = output;
          this.thread.send({ type: 'openOutput', id, output: mix, encoderArgs: output.encoderArgs });
        },
        () => this.onDemand.get(id) === created && this.onDemand.delete(id),
      );
    }
    return (await entry.ready).producer;
  }

  /** Adds the frames composed, skipped and dropped since the last count to the node's metrics. */
  private async countFrames() {
    const stats = await this.stats().catch(() => null);
    if (!stats) return;
    for (const name of ['composed', 'skipped', 'dropped'] as const) {
      mixerFrames[name].add(stats.frames[name] - this.framesCounted[name]);
    }
    this.framesCounted = stats.frames;
  }

  /** How the mix is doing, from the mixing thread. */
  stats(): Promise<MixStats> {
    const request = ++this.requests;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(() => reject(new Error('the mixing thread did not answer'))), 5000);
      const onEvent = (event: FromMixThread) => {
        if (event.type === 'stats' && event.request === request) done(() => resolve(event.stats));
      };
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.thread.off('event', onEvent);
        settle();
      };
      this.thread.on('event', onEvent);
      this.thread.send({ type: 'stats', request });
    });
  }

  /** Counts a user (a consumer of the mixed media, a recording, a stream) until it closes. */
  hold(user: MixerUser): void {
    this.users++;
    clearTimeout(this.idleTimer);
    const own = [...this.onDemand].find(([, entry]) => entry.output?.producer.id === user.producerId);
    if (own) own[1].consumers++;
    user.observer.once('close', () => {
      this.users--;
      if (own && --own[1].consumers === 0) this.dropOnDemand(own[0], own[1]);
      this.scheduleIdleStop();
    });
  }

  /** A participant or the conference changed (from the conference's event stream). */
  apply(change: ResourceChange): void {
    if (change.resource === 'participant') {
      if (change.type === 'deleted') this.participants.delete(change.participantId);
      else this.participants.set(change.participant.id, change.participant);
    } else if (change.resource === 'conference') {
      this.layout = change.conference.layout;
    } else {
      return;
    }
    this.rosterChanged();
  }

  /** Opens inputs for the streams that may enter the mix and closes the others. */
  sourcesChanged(): void {
    if (this.closed) return;
    const wanted = new Map<string, { producer: types.Producer; source: Source }>();
    for (const participant of this.participants.values()) {
      if (!participant.online) continue;
      for (const source of ['primary', 'secondary'] as const) {
        if (!entersMix(participant.role, source)) continue;
        for (const kind of ['audio', 'video'] as const) {
          const producer = this.sources.producerOf(streamKey(participant.id, source), kind);
          if (!producer || producer.closed) continue;
          wanted.set(inputKey(participant.id, source, kind), { producer, source });
        }
      }
    }
    for (const [key, input] of this.inputs) {
      if (wanted.get(key)?.producer.id !== input.producerId) this.dropInput(key);
    }
    for (const [key, { producer, source }] of wanted) {
      if (!this.inputs.has(key)) this.openInput(key, producer, source);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retryTimer);
    clearInterval(this.framesTimer);
    clearTimeout(this.idleTimer);
    for (const key of [...this.inputs.keys()]) this.dropInput(key);
    this.thread.stop();
    for (const { ready } of this.onDemand.values())
      ready.then(
        (output) => output.close(),
        () => undefined,
      );
    this.video.close();
    this.audio.close();
    this.logger.info('mixer stopped');
    this.emit('closed');
  }

  private rosterChanged() {
    this.thread.send({ type: 'roster', layout: this.layout, participants: this.mixedParticipants() });
    this.sourcesChanged();
  }

  private openInput(key: string, producer: types.Producer, source: Source) {
    const input: MixerInput = { producerId: producer.id, serial: ++this.serials };
    this.inputs.set(key, input);
    openPlainRtpLeg(this.sources.router, producer).then(
      (leg) => {
        if (this.inputs.get(key) !== input) return leg.transport.close();
        input.leg = leg;
        const { serial } = input;
        const { kind } = producer;
        this.thread.send({ type: 'openInput', key, serial, input: decoderSource(leg), source, kind });
        leg.consumer.on('producerclose', () => this.inputs.get(key) === input && this.dropInput(key));
        setTimeout(() => leg.consumer.resume().catch(() => undefined), DECODER_START_MS).unref();
        if (kind === 'video') this.requestKeyFrames(input);
      },
      (error) => {
        if (this.inputs.get(key) === input) this.inputs.delete(key);
        this.logger.warn({ err: error, key }, 'mixer input could not be opened');
      },
    );
  }

  private dropOnDemand(id: string, entry: OnDemandOutput) {
    if (this.onDemand.get(id) !== entry) return;
    this.onDemand.delete(id);
    this.thread.send({ type: 'closeOutput', id });
    entry.ready.then(
      (output) => output.close(),
      () => undefined,
    );
  }

  /**
   * ffmpeg cannot ask for a key frame: ask for it once the decoder listens (a key frame sent before
   * would be lost), then every second until its first picture comes out.
   */
  private requestKeyFrames(input: MixerInput) {
    const consumer = input.leg?.consumer;
    if (!consumer || input.keyFrameTimer) return;
    const ask = () => void consumer.requestKeyFrame().catch(() => undefined);
    input.keyFrameTimer = setTimeout(() => {
      ask();
      input.keyFrameTimer = setInterval(ask, KEY_FRAME_RETRY_MS);
    }, DECODER_START_MS);
  }

  private dropInput(key: string) {
    const input = this.inputs.get(key);
    if (!input) return;
    this.inputs.delete(key);
    clearInterval(input.keyFrameTimer);
    input.leg?.transport.close();
    this.thread.send({ type: 'closeInput', key });
  }

  private onThreadEvent(event: FromMixThread) {
    if (event.type === 'stats') return;
    if (event.type === 'outputEnded') {
      this.logger.warn({ output: event.id }, 'mixer encoder ended');
      const entry = this.onDemand.get(event.id);
      if (!entry) return this.close();
      this.dropOnDemand(event.id, entry);
      return;
    }
    const input = this.inputs.get(event.key);
    if (input?.serial !== event.serial) return;
    if (event.type === 'inputPicture') {
      clearInterval(input.keyFrameTimer);
      input.keyFrameTimer = undefined;
    } else if (event.type === 'inputRestarted') {
      this.requestKeyFrames(input);
    } else {
      this.dropInput(event.key);
    }
  }

  private scheduleIdleStop() {
    clearTimeout(this.idleTimer);
    if (this.users > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => this.close(), this.options.idleStopMs);
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

const LISTENER_OUTPUT = 'audio-without:';
const VP8_OUTPUT = 'video-vp8';
