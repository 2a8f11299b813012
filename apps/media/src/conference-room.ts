import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import type {
  NodeId,
  PhoneLegRequest,
  ResourceChange,
  RosterReply,
  StreamingResource,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import type { ProtocolBus } from '@mind/messaging';
import { MEDIA_CODECS, type ParsedOffer, type PublishingPolicy } from '@mind/sdp';
import { ConferenceMixer, type MixerOptions, type MixerUser } from './mixer/conference-mixer';
import { PeerSession, type SessionHost } from './peer-session';
import { PhoneLeg } from './phone/phone-leg';
import { ConferencePipes, type PipedRoom } from './pipes/conference-pipes';
import { MixedMediaRecorder, type RecordingSegment } from './recording/mixed-media-recorder';
import { segmentFileName } from './recording/segment-files';
import { SctpNotificationChannel } from './sctp-notification-channel';
import { StreamPusher, type PushOptions } from './streaming/stream-pusher';
import { RoomTranscription, type TranscriptionServices } from './transcription/room-transcription';
import { streamKey } from './labels';

/**
 * A recorder that dies is replaced at once (every moment of the gap is missing from the recording);
 * one that keeps dying is replaced after a growing pause, so a broken ffmpeg does not spin.
 */
const RECORDER_RESTARTS = { windowMs: 60_000, firstPauseMs: 1000, maxPauseMs: 30_000 };

export interface SessionOptions {
  listenIp: string;
  announcedAddress?: string;
  /** Seconds without ICE consent before a session counts as gone. */
  iceConsentTimeout: number;
  /** Which video codecs publishers may send. */
  publishing: PublishingPolicy;
}

/** What a room needs from its node for the mixed media: settings, the roster, segment storage. */
export interface RoomServices {
  /** This node as the other nodes of a spread conference reach it. */
  pipes: { bus: ProtocolBus; nodeId: NodeId; listenIp: string; address: string };
  mixer: MixerOptions;
  streaming: PushOptions;
  /** The conference as it is now (a conference that is over rejects). */
  roster: (conferenceId: string) => Promise<Extract<RosterReply, { status: 200 }>>;
  /** Where recording segments are written (one file per segment, named by `segmentFileName`). */
  segmentDir: string;
  /** Takes a finished recording segment (a local file) into storage and reports it. */
  storeSegment: (conferenceId: string, file: string) => Promise<void>;
  /** Tells the platform whether a streaming's push flows. */
  reportStreaming: (conferenceId: string, streamingId: string, alive: boolean) => void;
  transcription: TranscriptionServices;
  logger: Logger;
}

export interface ConferenceRoomEvents {
  /** A session's presence or media flags changed, or it closed. */
  sessionState: [session: PeerSession];
  unsupported: [session: PeerSession, reason: string];
  frame: [session: PeerSession, text: string];
  closed: [];
}

/**
 * A conference on this node: its router (on one worker), a DirectTransport for the notification
 * channels, the participants' sessions and the streams they publish, and the pipes to the other
 * nodes of a conference spread over several (every node has every stream). Only the conference's
 * home node records, streams, transcribes and bridges phone lines. Closing the room closes its
 * sessions, pipes and router; a router closed under it (worker death) closes the room.
 */
export class ConferenceRoom extends EventEmitter<ConferenceRoomEvents> implements SessionHost, PipedRoom {
  readonly sessions = new Map<string, PeerSession>();
  /** Every session not closed yet (each holds a transport), current or not. */
  private readonly open = new Set<PeerSession>();
  /** Per participant: the offer being applied, which the next one waits for. */
  private readonly offering = new Map<string, Promise<unknown>>();
  private readonly streams = new Map<string, Map<types.MediaKind, types.Producer>>();
  private mixer: Promise<ConferenceMixer> | null = null;
  private recorder: Promise<MixedMediaRecorder> | null = null;
  private segment: Promise<RecordingSegment | null> | null = null;
  private recordingWanted = false;
  /** When recent recorders died, for the pause before the next. */
  private recorderDeaths: number[] = [];
  /** Segments on their way to storage. */
  private readonly storing = new Set<Promise<unknown>>();
  private readonly pushers = new Map<string, StreamPusher>();
  /** Phone lines (SIP calls held by a gateway) by participant. */
  private readonly phoneLegs = new Map<string, PhoneLeg>();
  readonly transcription: RoomTranscription;
  readonly pipes: ConferencePipes;
  /** Whether this node is the conference's home (it records, streams, transcribes). */
  private home = false;
  private closed = false;

  private constructor(
    readonly conferenceId: string,
    readonly router: types.Router,
    private readonly direct: types.DirectTransport,
    private readonly options: SessionOptions,
    private readonly services: RoomServices,
    private readonly release: () => void,
  ) {
    super();
    this.transcription = new RoomTranscription(
      { router, conferenceId, voiceOf: (id) => this.producerOf(streamKey(id, 'primary'), 'audio') },
      services.transcription,
    );
    const { bus, ...self } = services.pipes;
    this.pipes = new ConferencePipes(this, bus, self, services.logger);
    router.observer.on('close', () => this.close());
  }

  static async create(
    conferenceId: string,
    worker: types.Worker,
    options: SessionOptions,
    services: RoomServices,
    release: () => void,
  ) {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { conferenceId } });
    const direct = await router.createDirectTransport();
    return new ConferenceRoom(conferenceId, router, direct, options, services, release);
  }

  get publishing(): PublishingPolicy {
    return this.options.publishing;
  }

  /** How many sessions (WebRTC transports) this room holds. */
  get sessionCount(): number {
    return this.open.size;
  }

  /** What a participant's source sends now (a paused producer sends nothing). */
  producerOf(key: string, kind: types.MediaKind): types.Producer | undefined {
    const producer = this.streams.get(key)?.get(kind);
    return producer && !producer.paused ? producer : undefined;
  }

  /** A stream one of this node's participants publishes (other nodes of the conference get it too). */
  publish(key: string, producer: types.Producer): void {
    this.adopt(key, producer);
    this.pipes.share(key, producer);
  }

  adopt(key: string, producer: types.Producer): void {
    let byKind = this.streams.get(key);
    if (!byKind) this.streams.set(key, (byKind = new Map()));
    byKind.get(producer.kind)?.close();
    byKind.set(producer.kind, producer);
    producer.observer.on('close', () => {
      if (byKind.get(producer.kind) === producer) byKind.delete(producer.kind);
      this.sourcesChanged();
    });
    producer.observer.on('pause', () => this.sourcesChanged());
    producer.observer.on('resume', () => this.sourcesChanged());
    this.sourcesChanged();
  }

  ownStreams(): [key: string, producer: types.Producer][] {
    return [...this.streams].flatMap(([key, byKind]) =>
      [...byKind.values()].filter((producer) => !producer.appData.piped).map((producer) => [key, producer]),
    ) as [string, types.Producer][];
  }

  /**
   * Makes this node the conference's home or not. The home records, streams and transcribes from
   * the conference's current state (and follows its changes); a room that stops being home stops.
   */
  setHome(home: boolean): void {
    if (home === this.home || this.closed) return;
    this.home = home;
    this.services.logger.info({ conferenceId: this.conferenceId, home }, 'conference home changed');
    if (!home) {
      this.setRecording(false);
      this.transcription.close();
      for (const pusher of this.pushers.values()) pusher.close();
      this.pushers.clear();
      return;
    }
    this.services.roster(this.conferenceId).then(
      (roster) => {
        if (!this.home) return;
        this.transcription.setRoster(roster.participants, roster.transcription);
        // A conference already being recorded (e.g. after its home node restarted) records from the start.
        if (roster.recording) this.setRecording(true);
        for (const streaming of roster.streamings) this.startStreaming(streaming);
      },
      (error) => this.services.logger.warn({ err: error, conferenceId: this.conferenceId }, 'no roster'),
    );
  }

  /** The mixed `conference` media for a listener, from the room's mixer (started on first use). */
  async conferenceProducer(
    kind: types.MediaKind,
    listenerId: string,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<types.Producer> {
    const mixer = await this.ensureMixer();
    return kind === 'video' ? mixer.videoProducerFor(rtpCapabilities) : mixer.audioProducerFor(listenerId);
  }

  /** Keeps the mixer running while `user` (a consumer of the mixed media) is open. */
  async holdMixer(user: MixerUser): Promise<void> {
    (await this.ensureMixer()).hold(user);
  }

  /** Bridges a participant's phone line; a leg it had already is replaced (a new call). */
  async openPhoneLeg(request: PhoneLegRequest): Promise<PhoneLeg> {
    this.closePhoneLeg(request.participantId);
    const { listenIp, announcedAddress } = this.options;
    const leg = await PhoneLeg.open(this, request, streamKey(request.participantId, 'primary'), {
      ip: listenIp,
      announcedAddress,
    });
    if (this.closed) {
      leg.close();
      throw new Error('the conference ended');
    }
    this.phoneLegs.set(request.participantId, leg);
    return leg;
  }

  closePhoneLeg(participantId: string): void {
    this.phoneLegs.get(participantId)?.close();
    this.phoneLegs.delete(participantId);
  }

  /** A change of the conference (its event stream) that the mixer, the recording and streaming follow. */
  applyChange(change: ResourceChange): void {
    void this.runningMixer().then((mixer) => mixer?.apply(change));
    if (!this.home) return;
    this.transcription.apply(change);
    if (change.resource === 'conference') this.setRecording(change.conference.recording.started);
    if (change.resource !== 'streaming') return;
    if (change.type === 'created') this.startStreaming(change.streaming);
    if (change.type === 'deleted') {
      this.pushers.get(change.streamingId)?.close();
      this.pushers.delete(change.streamingId);
    }
  }

  /** Pushes the mixed media to a streaming's destination until it is deleted or the conference ends. */
  startStreaming(streaming: StreamingResource): void {
    if (this.pushers.has(streaming.id) || this.closed || !this.home) return;
    const { logger, reportStreaming } = this.services;
    this.pushers.set(
      streaming.id,
      new StreamPusher(
        { streamingId: streaming.id, url: streaming.url },
        this.services.streaming,
        () => this.ensureMixer(),
        (alive) => reportStreaming(this.conferenceId, streaming.id, alive),
        logger.child({ conferenceId: this.conferenceId, streamingId: streaming.id }),
      ),
    );
  }

  /**
   * Records the mixed media while `started`: each stretch between a start and a stop is one segment,
   * stored when it ends (pause and resume make one recording out of them later).
   */
  setRecording(started: boolean): void {
    if (started && !this.home) return;
    this.recordingWanted = started;
    this.transcription.setRecording(started);
    if (started) this.startSegment();
    else this.endSegment();
  }

  private startSegment() {
    if (this.segment || this.closed) return;
    const { logger } = this.services;
    const file = join(this.services.segmentDir, segmentFileName(this.conferenceId));
    const asked = Date.now();
    this.segment = this.ensureRecorder()
      .then(({ mixer, recorder }) => {
        const segment = recorder.record(file);
        mixer.hold(segment);
        // For operators: how long a recording takes to start (mixer and recorder start-up, next key frame).
        segment.observer.once('started', () =>
          logger.info(
            { conferenceId: this.conferenceId, waitedMs: Date.now() - asked },
            'recording segment started',
          ),
        );
        return segment;
      })
      .catch((error) => {
        logger.error({ err: error, conferenceId: this.conferenceId }, 'recording could not start');
        return null;
      });
  }

  private endSegment() {
    const stopping = this.segment;
    if (!stopping) return;
    this.segment = null;
    const storing = stopping.then(async (segment) => {
      if (!segment) return;
      if (!(await segment.stop())) {
        // Stopped before the mixed stream's first key frame reached it (mixer or recorder start-up).
        this.services.logger.warn(
          { conferenceId: this.conferenceId },
          'recording segment stopped before its first key frame: nothing recorded',
        );
        return rm(segment.file, { force: true });
      }
      await this.services
        .storeSegment(this.conferenceId, segment.file)
        .catch((error) =>
          this.services.logger.error({ err: error, conferenceId: this.conferenceId }, 'segment not stored'),
        );
    });
    this.storing.add(storing);
    void storing.finally(() => this.storing.delete(storing));
  }

  /** Resolves once the segments recorded so far are stored (or failed to be, and stay in the spool). */
  async segmentsStored(): Promise<void> {
    await Promise.allSettled([...this.storing]);
  }

  /**
   * Applies a participant's offer: on its current session when the ICE credentials are the same
   * (renegotiation), else on a new session that replaces the old one. One participant's offers are
   * applied one after the other: offers sent in parallel cannot leave a session (a transport) behind.
   */
  offer(
    participantId: string,
    offer: ParsedOffer,
    sessionIdPrefix: string,
  ): Promise<{ sdp: string; session: PeerSession }> {
    const before = this.offering.get(participantId) ?? Promise.resolve();
    const applying = before.then(
      () => this.applyOffer(participantId, offer, sessionIdPrefix),
      () => this.applyOffer(participantId, offer, sessionIdPrefix),
    );
    const done = applying.catch(() => undefined);
    this.offering.set(participantId, done);
    void done.then(() => this.offering.get(participantId) === done && this.offering.delete(participantId));
    return applying;
  }

  private async applyOffer(
    participantId: string,
    offer: ParsedOffer,
    sessionIdPrefix: string,
  ): Promise<{ sdp: string; session: PeerSession }> {
    const previous = this.sessions.get(participantId);
    const current = previous && !previous.isClosed && previous.iceUfrag === offer.iceUfrag ? previous : null;
    if (!current) previous?.close('replaced');
    const session =
      current ?? (await this.openSession(participantId, offer, `${sessionIdPrefix}:${offer.iceUfrag}`));
    try {
      return { sdp: await session.apply(offer), session };
    } catch (error) {
      // A session whose first offer could not be applied never was: nothing of it may stay.
      if (!current) session.close('ended');
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipes.close();
    for (const session of this.sessions.values()) session.close();
    for (const leg of this.phoneLegs.values()) leg.close();
    this.phoneLegs.clear();
    this.setRecording(false);
    this.transcription.close();
    for (const pusher of this.pushers.values()) pusher.close();
    this.pushers.clear();
    void this.runningMixer().then((mixer) => mixer?.close());
    this.router.close();
    this.release();
    this.emit('closed');
  }

  private ensureMixer(): Promise<ConferenceMixer> {
    if (!this.mixer) {
      const { mixer: options, roster, logger } = this.services;
      const starting = roster(this.conferenceId).then((current) =>
        ConferenceMixer.start(this, current, options, logger.child({ conferenceId: this.conferenceId })),
      );
      this.mixer = starting;
      starting.then(
        (mixer) => mixer.on('closed', () => this.mixer === starting && (this.mixer = null)),
        () => this.mixer === starting && (this.mixer = null),
      );
    }
    return this.mixer;
  }

  /**
   * The mixer and its recorder, which runs as long as the mixer does. A recorder that dies while
   * recording ends its segment, and a new one goes on after a moment.
   */
  private async ensureRecorder(): Promise<{ mixer: ConferenceMixer; recorder: MixedMediaRecorder }> {
    const mixer = await this.ensureMixer();
    if (!this.recorder) {
      const { logger } = this.services;
      const starting = MixedMediaRecorder.start(
        this.router,
        mixer.output,
        logger.child({ conferenceId: this.conferenceId }),
      );
      this.recorder = starting;
      starting.then(
        (recorder) => {
          mixer.once('closed', () => recorder.close());
          recorder.observer.once('close', () => {
            if (this.recorder === starting) this.recorder = null;
            if (!this.segment) return;
            this.endSegment();
            setTimeout(
              () => this.recordingWanted && this.startSegment(),
              this.recorderRestartPause(),
            ).unref();
          });
        },
        () => this.recorder === starting && (this.recorder = null),
      );
    }
    return { mixer, recorder: await this.recorder };
  }

  private recorderRestartPause(): number {
    const now = Date.now();
    const { windowMs, firstPauseMs, maxPauseMs } = RECORDER_RESTARTS;
    this.recorderDeaths = [...this.recorderDeaths.filter((at) => now - at < windowMs), now];
    const earlier = this.recorderDeaths.length - 1;
    return earlier === 0 ? 0 : Math.min(maxPauseMs, firstPauseMs * 2 ** (earlier - 1));
  }

  private runningMixer(): Promise<ConferenceMixer | null> {
    return this.mixer?.catch(() => null) ?? Promise.resolve(null);
  }

  private sourcesChanged() {
    void this.runningMixer().then((mixer) => mixer?.sourcesChanged());
    this.transcription.sourcesChanged();
  }

  private async openSession(
    participantId: string,
    offer: ParsedOffer,
    sessionId: string,
  ): Promise<PeerSession> {
    const transport = await this.router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'udp', ip: this.options.listenIp, announcedAddress: this.options.announcedAddress },
        { protocol: 'tcp', ip: this.options.listenIp, announcedAddress: this.options.announcedAddress },
      ],
      enableSctp: true,
      numSctpStreams: { OS: 1024, MIS: 1024 },
      maxSctpMessageSize: 262144,
      iceConsentTimeout: this.options.iceConsentTimeout,
      appData: { participantId },
    });
    let channel: SctpNotificationChannel;
    try {
      channel = await SctpNotificationChannel.open(transport, this.direct);
    } catch (error) {
      transport.close();
      throw error;
    }
    const session = new PeerSession(sessionId, participantId, this, transport, channel, offer);
    this.sessions.set(participantId, session);
    this.open.add(session);
    session.on('state', () => this.emit('sessionState', session));
    session.on('unsupported', (reason) => this.emit('unsupported', session, reason));
    session.on('frame', (text) => this.emit('frame', session, text));
    session.on('closed', () => {
      this.open.delete(session);
      if (this.sessions.get(participantId) === session) this.sessions.delete(participantId);
      this.emit('sessionState', session);
    });
    return session;
  }
}
