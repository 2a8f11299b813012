import {
  EVENT,
  MEDIA_NODE_TIMEOUT_MS,
  SIP_GATEWAY_TIMEOUT_MS,
  TRANSCRIBER_TIMEOUT_MS,
  type EventDefinition,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import type { ProtocolBus, Unsubscribable } from './nats';

/** What every heartbeat of the protocol carries. */
export interface Heartbeat {
  /** Changes when the process restarts: what the previous incarnation held is gone. */
  incarnation: string;
  /** On the last heartbeat of a process that is shutting down. */
  leaving?: boolean;
}

export type Live<T> = T & { lastSeen: number };

export type PeerGoneListener<T> = (peer: Live<T>) => void;

/**
 * The processes of one kind alive now (media nodes, transcribers), learnt from their heartbeats. One
 * that says it is leaving, falls silent for `timeoutMs`, or comes back as a new incarnation (it
 * restarted) is reported gone, so that what it held can be moved or released.
 */
export class LivePeers<T extends Heartbeat> {
  private readonly peers = new Map<string, Live<T>>();
  private readonly goneListeners: PeerGoneListener<T>[] = [];
  private sweep?: NodeJS.Timeout;
  private subscription?: Unsubscribable;

  constructor(
    private readonly bus: ProtocolBus,
    private readonly heartbeat: EventDefinition<T>,
    private readonly idOf: (beat: T) => string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscription = this.bus.listen(this.heartbeat, (beat) => this.heard(beat));
    // Checked six times per timeout: one that falls silent is gone at most a sixth late.
    this.sweep = setInterval(() => this.forgetSilent(), Math.min(1000, this.timeoutMs / 6));
    this.sweep.unref();
  }

  stop(): void {
    clearInterval(this.sweep);
    this.subscription?.unsubscribe();
  }

  onGone(listener: PeerGoneListener<T>): void {
    this.goneListeners.push(listener);
  }

  get(id: string): Live<T> | undefined {
    return this.peers.get(id);
  }

  all(): Live<T>[] {
    return [...this.peers.values()];
  }

  /**
   * Takes a peer as gone before its heartbeats say so, on evidence they cannot give in time (NATS
   * answered that nothing serves its subject: the process died). A heartbeat of the same incarnation
   * that still comes brings it back.
   */
  forget(id: string): void {
    const known = this.peers.get(id);
    if (!known) return;
    this.peers.delete(id);
    this.gone(known);
  }

  private heard(beat: T) {
    const id = this.idOf(beat);
    const known = this.peers.get(id);
    if (beat.leaving) {
      if (known?.incarnation !== beat.incarnation) return;
      this.peers.delete(id);
      return this.gone(known);
    }
    if (known && known.incarnation !== beat.incarnation) this.gone(known);
    if (!known || known.incarnation !== beat.incarnation) {
      this.logger.info({ peer: id, heartbeat: this.heartbeat.subject }, 'peer joined');
    }
    this.peers.set(id, { ...beat, lastSeen: Date.now() });
  }

  private forgetSilent() {
    const now = Date.now();
    for (const [id, peer] of this.peers) {
      if (now - peer.lastSeen > this.timeoutMs) {
        this.peers.delete(id);
        this.gone(peer);
      }
    }
  }

  private gone(peer: Live<T>) {
    this.logger.warn(
      { peer: this.idOf(peer), incarnation: peer.incarnation, heartbeat: this.heartbeat.subject },
      'peer gone',
    );
    for (const listener of this.goneListeners) listener(peer);
  }
}

/** The media nodes alive now. */
export const liveMediaNodes = (bus: ProtocolBus, logger: Logger) =>
  new LivePeers(bus, EVENT.mediaHeartbeat, (beat) => beat.nodeId, MEDIA_NODE_TIMEOUT_MS, logger);

/** The transcription workers alive now, with their languages and load. */
export const liveTranscribers = (bus: ProtocolBus, logger: Logger) =>
  new LivePeers(
    bus,
    EVENT.transcriberHeartbeat,
    (beat) => beat.transcriberId,
    TRANSCRIBER_TIMEOUT_MS,
    logger,
  );

/** The SIP gateways alive now. */
export const liveSipGateways = (bus: ProtocolBus, logger: Logger) =>
  new LivePeers(bus, EVENT.sipHeartbeat, (beat) => beat.gatewayId, SIP_GATEWAY_TIMEOUT_MS, logger);
