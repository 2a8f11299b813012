import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Config } from '@mind/config';
import {
  EVENT,
  MEDIA_HEARTBEAT_MS,
  notificationForParticipant,
  participantOf,
  recordingKeys,
  RPC,
  type ConferenceEvent,
  type ConferenceId,
  type MediaNodeHeartbeat,
  type PhoneLegReply,
  type PhoneLegRequest,
  type PresenceReport,
  type SessionOfferReply,
  type SessionOfferRequest,
  type StreamingId,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { activeTraceId, inSpan } from '@mind/telemetry';
import { liveMediaNodes, type LivePeers, type ProtocolBus } from '@mind/messaging';
import { parseOffer, SdpError, type ParsedOffer, type PublishingPolicy } from '@mind/sdp';
import { OutboundPolicy } from '@mind/outbound';
import { createStorage, type ObjectStorage } from '@mind/storage';
import { ConferenceRoom } from './conference-room';
import type { PeerSession } from './peer-session';
import { parseQualityReport } from './quality-report';
import { retried } from './retried';
import { segmentConference } from './recording/segment-files';
import { segmentTiming } from './recording/segment-timing';
import { TranscriberPool } from './transcription/transcriber-pool';
import type { WorkerPool } from './worker-pool';

/** How long a stored segment's report to the conference service is retried. */
const SEGMENT_REPORT_PATIENCE_MS = 180_000;

/** How long a stopping node waits for its last recording segments to be stored. */
const SEGMENT_STORE_GRACE_MS = 15_000;

/** Frames of the participant protocol that end a session. */
const CONFERENCE_ENDED = '4000';
const EXPELLED = '4001';
/** Time for a closing frame to leave before the transport closes. */
const CLOSE_AFTER_FRAME_MS = 300;
const ICE_CONSENT_TIMEOUT_S = 10;
const SESSION_ONLINE_WAIT_MS = 2000;
/** Tries of one presence report before it is left to the session's next change (0.75 s of back-off). */
const PRESENCE_REPORT_ATTEMPTS = 3;
const NO_MEDIA = { audio: false, video: false };

/**
 * A media node: hosts the rooms of the conferences placed on it, answers their participants' offers,
 * reports presence and media flags, and delivers each conference's events to its participants' data
 * channels (`4000` when it ends, `4001` to an expelled participant).
 */
export class MediaNode {
  readonly incarnation = randomUUID();
  private readonly rooms = new Map<string, Promise<ConferenceRoom>>();
  private readonly openRooms = new Set<ConferenceRoom>();
  /** Per session: the state the conference service was last told, and the report on its way. */
  private readonly reports = new Map<PeerSession, { told: string | null; sending: Promise<void> }>();
  /** Lost sessions within the reconnect window; the participant goes offline when theirs ends. */
  private readonly reconnecting = new Map<PeerSession, NodeJS.Timeout | null>();
  private readonly storage: ObjectStorage;
  private readonly destinations: OutboundPolicy;
  private readonly streamingReports = new Map<string, Promise<void>>();
  private readonly transcribers: TranscriberPool;
  private readonly peers: LivePeers<MediaNodeHeartbeat>;
  private heartbeat?: NodeJS.Timeout;
  /**
   * New sessions whose offer is not answered yet. Heartbeats leave them out: the conference service
   * counts each as its own placement until the first heartbeat after the answer, so a heartbeat sent
   * in between would count it twice and steer a burst of new conferences to the other nodes.
   */
  private readonly answering = new Set<{ room: ConferenceRoom; participantId: string }>();
  private closers: { close(): unknown }[] = [];

  constructor(
    private readonly bus: ProtocolBus,
    private readonly pool: WorkerPool,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.storage = createStorage(config.storage);
    this.destinations = new OutboundPolicy(config.outbound);
    this.transcribers = new TranscriberPool(bus, logger);
    this.transcribers.onGone((id, incarnation) => {
      for (const room of this.openRooms) room.transcription.transcriberGone(id, incarnation);
    });
    // Other media nodes, for the pipes of spread conferences: a gone node's streams end with it.
    this.peers = liveMediaNodes(bus, logger);
    this.peers.onGone((peer) => {
      for (const room of this.openRooms) room.pipes.peerGone(peer.nodeId);
    });
  }

  get nodeId(): string {
    return this.config.media.nodeId;
  }

  /** This node's own spool: what is left in it after a crash is this node's to store. */
  private get segmentDir(): string {
    return join(this.config.media.spoolDir, this.nodeId);
  }

  async start(): Promise<void> {
    await mkdir(this.segmentDir, { recursive: true });
    // Listed before any offer is served: a segment begun from now on is not a leftover.
    const leftovers = (await readdir(this.segmentDir)).filter((name) => segmentConference(name)).sort();
    const sessions = this.bus.serve(
      RPC.sessionOffer,
      `media-${this.nodeId}`,
      (request) => this.offer(request),
      this.nodeId,
    );
    const phoneLegs = this.bus.serve(
      RPC.phoneLeg,
      `media-${this.nodeId}`,
      (request) => this.openPhoneLeg(request),
      this.nodeId,
    );
    const phoneLegsClosed = this.bus.serve(
      RPC.phoneLegClose,
      `media-${this.nodeId}`,
      async ({ conferenceId, participantId }) => {
        (await this.rooms.get(conferenceId)?.catch(() => null))?.closePhoneLeg(participantId);
        return { status: 200 as const };
      },
      this.nodeId,
    );
    const pipes = this.servePipes();
    const events = await this.bus.follow(EVENT.conference, (event) => void this.deliver(event));
    this.transcribers.start();
    this.peers.start();
    this.closers.push(
      { close: () => sessions.unsubscribe() },
      { close: () => phoneLegs.unsubscribe() },
      { close: () => phoneLegsClosed.unsubscribe() },
      ...pipes,
      events,
      {
        close: () => this.transcribers.stop(),
      },
      { close: () => this.peers.stop() },
    );
    this.beat();
    this.scheduleBeat();
    void this.storeLeftoverSegments(leftovers);
  }

  /** The pipes other nodes of spread conferences open to this one, and the streams they send over them. */
  private servePipes(): { close(): void }[] {
    const queue = `media-${this.nodeId}`;
    const roomOf = (conferenceId: ConferenceId) => this.rooms.get(conferenceId)?.catch(() => null);
    const noRoom = { status: 404 as const, error: 'the conference is not on this node' };
    return [
      this.bus.serve(
        RPC.mediaPipe,
        queue,
        async (request) => (await this.room(request.conferenceId)).pipes.accept(request),
        this.nodeId,
      ),
      this.bus.serve(
        RPC.pipedStream,
        queue,
        async (stream) => (await roomOf(stream.conferenceId))?.pipes.receive(stream) ?? noRoom,
        this.nodeId,
      ),
      this.bus.serve(
        RPC.pipedStreamState,
        queue,
        async (state) => (await roomOf(state.conferenceId))?.pipes.update(state) ?? noRoom,
        this.nodeId,
      ),
    ].map((served) => ({ close: () => served.unsubscribe() }));
  }

  /**
   * Segments that a crash left behind (recorded up to the moment the node died) are stored like any
   * other, oldest first, so the recording loses nothing it had.
   */
  private async storeLeftoverSegments(names: string[]) {
    for (const name of names) {
      const conferenceId = segmentConference(name)!;
      const file = join(this.segmentDir, name);
      this.logger.info({ conferenceId, file }, 'storing a segment left by a crash');
      await this.storeSegment(conferenceId, file).catch((error) =>
        this.logger.error({ err: error, conferenceId, file }, 'leftover segment not stored'),
      );
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.heartbeat);
    // The conference service takes the sessions of a node that leaves offline itself.
    for (const timer of this.reconnecting.values()) clearTimeout(timer ?? undefined);
    this.reconnecting.clear();
    // New sessions go to other nodes from now on.
    this.beat(true);
    for (const closer of this.closers) await closer.close();
    const rooms = (await Promise.all([...this.rooms.values()].map((room) => room.catch(() => null)))).filter(
      (room) => room !== null,
    );
    for (const room of rooms) room.close();
    // A recording in progress ends with the node: its last segments are stored before it goes (what
    // does not make it in time stays in the spool for the node's next start).
    await Promise.race([
      Promise.all(rooms.map((room) => room.segmentsStored())),
      new Promise((resolve) => setTimeout(resolve, SEGMENT_STORE_GRACE_MS).unref()),
    ]);
  }

  get load(): MediaNodeHeartbeat['load'] {
    return { conferences: this.rooms.size, sessions: this.sessionCount(), workers: this.pool.size };
  }

  /** Open WebRTC sessions (one transport each) in every room of this node. */
  private sessionCount(): number {
    return [...this.openRooms].reduce((sum, room) => sum + room.sessionCount, 0);
  }

  /**
   * Every node beats at the same instants of the wall clock (multiples of the period): a conference
   * service comparing nodes then compares loads of one moment, not one node's fresh load (with other
   * instances' placements in it) against another's a second old.
   */
  private scheduleBeat() {
    const wait = MEDIA_HEARTBEAT_MS - (Date.now() % MEDIA_HEARTBEAT_MS);
    this.heartbeat = setTimeout(() => {
      this.beat();
      this.scheduleBeat();
    }, wait);
  }

  private beat(leaving = false) {
    const load = this.load;
    let unanswered = 0;
    for (const { room, participantId } of this.answering) if (room.sessions.has(participantId)) unanswered++;
    const heartbeat: MediaNodeHeartbeat = {
      nodeId: this.nodeId,
      incarnation: this.incarnation,
      load: { ...load, sessions: load.sessions - unanswered },
      at: Date.now(),
      ...(leaving ? { leaving } : {}),
    };
    this.bus.broadcast(EVENT.mediaHeartbeat, heartbeat);
  }

  async offer(request: SessionOfferRequest): Promise<SessionOfferReply> {
    let offer;
    try {
      offer = parseOffer(request.sdp);
    } catch (error) {
      if (error instanceof SdpError) return { status: 400, error: error.message };
      throw error;
    }
    const { maxLines, maxSessions } = this.config.media;
    if (offer.lines.length > maxLines) {
      return {
        status: 400,
        error: `the offer has ${offer.lines.length} m-lines; at most ${maxLines} are taken`,
      };
    }
    const room = await this.room(request.conferenceId);
    room.setHome(request.home);
    room.pipes.connect(request.peers);
    const fresh = room.sessions.has(request.participantId)
      ? null
      : { room, participantId: request.participantId };
    if (fresh && this.sessionCount() >= maxSessions) {
      return { status: 429, error: 'this media node holds as many sessions as it may, please retry later' };
    }
    if (fresh) this.answering.add(fresh);
    try {
      return await this.answer(request, room, offer);
    } finally {
      // Before the reply leaves (the bus sends it in this tick): the next heartbeat follows it.
      if (fresh) this.answering.delete(fresh);
    }
  }

  private async answer(
    request: SessionOfferRequest,
    room: ConferenceRoom,
    offer: ParsedOffer,
  ): Promise<SessionOfferReply> {
    let answered: Awaited<ReturnType<ConferenceRoom['offer']>>;
    try {
      const attributes = {
        'mind.participant.id': request.participantId,
        'mind.offer.lines': offer.lines.length,
      };
      answered = await inSpan('media offer apply', { attributes }, () =>
        room.offer(request.participantId, offer, this.incarnation),
      );
    } catch (error) {
      if (error instanceof SdpError) return { status: 400, error: error.message };
      throw error;
    }
    const { sdp, session } = answered;
    // A client renegotiates once its notification channel is open; this node may hear of its side of
    // the association a moment later. Then whoever reads the conference once the client has its answer
    // sees the session as it is.
    if (session.offersAnswered > 1) await session.untilOnline(SESSION_ONLINE_WAIT_MS);
    await this.report(request.conferenceId, session);
    this.logger.info(
      { traceId: request.traceId, conferenceId: request.conferenceId, participantId: request.participantId },
      'offer answered',
    );
    return { status: 200, sdp };
  }

  /** A SIP gateway bridges a phone line's audio into a conference hosted here. */
  private async openPhoneLeg(request: PhoneLegRequest): Promise<PhoneLegReply> {
    const room = await this.room(request.conferenceId);
    // Phone lines are bridged by the conference's home node.
    room.setHome(true);
    const leg = await inSpan('media phone leg open', {}, () => room.openPhoneLeg(request));
    this.logger.info(
      { traceId: request.traceId, conferenceId: request.conferenceId, participantId: request.participantId },
      'phone leg open',
    );
    return { status: 200, rtp: leg.rtp, hearing: leg.hearingRtp };
  }

  private room(conferenceId: ConferenceId): Promise<ConferenceRoom> {
    let room = this.rooms.get(conferenceId);
    if (!room) {
      const { worker, release } = this.pool.acquire();
      room = ConferenceRoom.create(
        conferenceId,
        worker,
        {
          listenIp: this.config.media.listenIp,
          announcedAddress: this.config.media.announcedAddress,
          iceConsentTimeout: ICE_CONSENT_TIMEOUT_S,
          // Validated against the codec names when the configuration is read.
          publishing: this.config.media.publishing as PublishingPolicy,
        },
        {
          pipes: {
            bus: this.bus,
            nodeId: this.nodeId,
            listenIp: this.config.media.listenIp,
            address: this.config.media.pipeAddress,
          },
          mixer: this.config.mixer,
          streaming: { caFile: this.config.streaming.caFile, destinations: this.destinations },
          roster: (id) => this.roster(id),
          segmentDir: this.segmentDir,
          storeSegment: (id, file) => this.storeSegment(id, file),
          reportStreaming: (id, streamingId, alive) => this.reportStreaming(id, streamingId, alive),
          transcription: {
            pool: this.transcribers,
            nodeId: this.nodeId,
            incarnation: this.incarnation,
            listenIp: this.config.media.listenIp,
            logger: this.logger,
          },
          logger: this.logger,
        },
        release,
      ).then((created) => {
        created.on('sessionState', (session) => void this.report(conferenceId, session));
        created.on('frame', (session, text) => {
          const report = parseQualityReport(text);
          const context = { conferenceId, participantId: session.participantId };
          if (report) this.logger.info({ ...context, report }, 'client reports distortion');
          else this.logger.debug({ ...context, frame: text.slice(0, 200) }, 'unknown client frame ignored');
        });
        created.on('unsupported', (session, reason) =>
          this.logger.warn(
            { conferenceId, participantId: session.participantId, reason },
            'subscription not served',
          ),
        );
        this.openRooms.add(created);
        created.on('closed', () => {
          this.rooms.delete(conferenceId);
          this.openRooms.delete(created);
        });
        return created;
      });
      room.catch(() => this.rooms.delete(conferenceId));
      this.rooms.set(conferenceId, room);
    }
    return room;
  }

  /** Who is in a conference and its layout, when its mixer starts. */
  private async roster(conferenceId: ConferenceId) {
    const reply = await this.bus.call(RPC.roster, { conferenceId });
    if (reply.status === 503) throw new Error('the conference service failed');
    if (reply.status !== 200) throw new Error('the conference is over');
    return reply;
  }

  /** Reports of one streaming go out one after the other, so the last one told is the current state. */
  private reportStreaming(conferenceId: ConferenceId, streamingId: StreamingId, alive: boolean) {
    const previous = this.streamingReports.get(streamingId) ?? Promise.resolve();
    const next = previous.then(() =>
      this.bus
        .call(RPC.streamingAlive, { conferenceId, streamingId, alive })
        .then(() => undefined)
        .catch((error) => this.logger.warn({ err: error, streamingId }, 'streaming state not reported')),
    );
    this.streamingReports.set(streamingId, next);
    void next.then(
      () => this.streamingReports.get(streamingId) === next && this.streamingReports.delete(streamingId),
    );
  }

  /** Moves a finished recording segment into storage and tells the conference service about it. */
  private storeSegment(conferenceId: ConferenceId, file: string): Promise<void> {
    const attributes = { 'mind.conference.id': conferenceId };
    return inSpan('recording segment store', { attributes }, () => this.storeSegmentNow(conferenceId, file));
  }

  private async storeSegmentNow(conferenceId: ConferenceId, file: string) {
    const traceId = activeTraceId();
    const storageKey = recordingKeys(conferenceId).segment(basename(file));
    const timing = await segmentTiming(file);
    await this.storage.putFile(storageKey, file);
    await rm(file, { force: true });
    // The segment is only in storage now: the report is retried through a restart of the conference
    // service, however slow, or it would be lost.
    const giveUpAt = Date.now() + SEGMENT_REPORT_PATIENCE_MS;
    const reply = await retried(
      async () => {
        const reply = await this.bus.call(RPC.segmentStored, { conferenceId, storageKey, timing });
        if (reply.status === 503) throw new Error('the conference service failed to take the segment');
        return reply;
      },
      {
        giveUp: () => Date.now() > giveUpAt,
        delayMs: (attempt) => Math.min(1000 * attempt, 5000),
        onRetry: (error, attempt) =>
          this.logger.warn(
            { err: error, conferenceId, storageKey, attempt },
            'segment report failed; retrying',
          ),
      },
    );
    if (reply.status === 404) {
      // The conference is gone, and its recordings with it.
      await this.storage.deletePrefix(storageKey);
      this.logger.info({ conferenceId, storageKey }, 'segment of a deleted conference dropped');
      return;
    }
    this.logger.info({ traceId, conferenceId, storageKey }, 'recording segment stored');
  }

  /**
   * Tells the conference service what a session is now, once per change. A session's reports go one
   * after the other, so the last one told is its current state; resolves once this one is told.
   */
  private report(conferenceId: ConferenceId, session: PeerSession): Promise<void> {
    let entry = this.reports.get(session);
    if (!entry) this.reports.set(session, (entry = { told: null, sending: Promise.resolve() }));
    const reports = entry;
    reports.sending = reports.sending.then(() => this.tell(conferenceId, session, reports));
    return reports.sending;
  }

  private async tell(conferenceId: ConferenceId, session: PeerSession, reports: { told: string | null }) {
    const room = await this.rooms.get(conferenceId)?.catch(() => null);
    const current = room?.sessions.get(session.participantId);
    // A session that ended after a newer one of its participant came has nothing left to say.
    const superseded = session.isClosed && current !== undefined && current !== session;
    const report = superseded ? null : this.presence(conferenceId, session);
    if (!report) {
      this.reports.delete(session);
      return;
    }
    const digest = JSON.stringify(report);
    if (reports.told === digest) return;
    // An offer is answered once its report is told: a report that failed once (a NATS hiccup, the
    // conference service busy) is tried again rather than leaving the participant offline until the
    // session's next change.
    const participantId = session.participantId;
    const reply = await retried(
      async () => {
        const reply = await this.bus.call(RPC.presence, report);
        if (reply.status === 503) throw new Error('the conference service failed to take the report');
        return reply;
      },
      {
        giveUp: (attempt) => attempt >= PRESENCE_REPORT_ATTEMPTS,
        delayMs: (attempt) => 250 * attempt,
        onRetry: (error, attempt) =>
          this.logger.info({ err: error, participantId, attempt }, 'presence report failed; retrying'),
      },
    ).catch((error: unknown) => {
      this.logger.warn({ err: error, participantId }, 'presence report failed');
      return null;
    });
    if (!reply) return;
    reports.told = digest;
    if (session.isClosed && !report.online) this.reports.delete(session);
    // The participant or its conference is gone: nothing may stay open for it.
    if (reply.status === 404) session.close();
  }

  /**
   * What a session is for the rest of the platform. A session whose connection went away leaves its
   * participant online, sending nothing, for the reconnect window: a client that recovers (a new
   * session, new ICE credentials) within it is never seen leaving. A replaced session says nothing (its
   * successor does), nor does one the platform ended.
   */
  private presence(conferenceId: ConferenceId, session: PeerSession): PresenceReport | null {
    const report = { conferenceId, participantId: session.participantId, sessionId: session.id };
    if (!session.isClosed) {
      return {
        ...report,
        online: session.online,
        media: session.media('primary'),
        secondaryMedia: session.media('secondary'),
      };
    }
    if (session.endedBy !== 'lost') return null;
    if (!this.reconnecting.has(session)) {
      const window = setTimeout(() => {
        this.reconnecting.set(session, null);
        void this.report(conferenceId, session).finally(() => this.reconnecting.delete(session));
      }, this.config.media.reconnectWindowMs);
      this.reconnecting.set(session, window.unref());
    }
    const waiting = this.reconnecting.get(session) !== null;
    return { ...report, online: waiting, media: NO_MEDIA, secondaryMedia: NO_MEDIA };
  }

  private async deliver(event: ConferenceEvent) {
    const room = await this.rooms.get(event.conferenceId)?.catch(() => null);
    if (!room) return;
    if (event.kind === 'ended') {
      for (const session of room.sessions.values()) this.closeWith(session, CONFERENCE_ENDED);
      setTimeout(() => room.close(), CLOSE_AFTER_FRAME_MS);
      return;
    }
    if (event.kind === 'resource') room.applyChange(event.change);
    const expelled =
      event.kind === 'resource' && event.change.type === 'deleted' ? participantOf(event.change) : undefined;
    for (const session of room.sessions.values()) {
      if (expelled === session.participantId) {
        this.closeWith(session, EXPELLED);
        continue;
      }
      const notification = notificationForParticipant(event, session.participantId);
      if (notification) session.channel.send(JSON.stringify(notification));
    }
  }

  private closeWith(session: PeerSession, frame: string) {
    session.channel.send(frame);
    setTimeout(() => session.close(), CLOSE_AFTER_FRAME_MS);
  }
}
