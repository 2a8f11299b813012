import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '@mind/config';
import { MEDIA_HEARTBEAT_MS, type MediaNodeHeartbeat } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { liveMediaNodes, ProtocolBus, type Live, type LivePeers } from '@mind/messaging';
import { CONFIG, LOGGER } from '@mind/runtime';

export type LiveNode = Live<MediaNodeHeartbeat>;

/** How a conference's first session picks its media node; chosen by `MIND_MEDIA_PLACEMENT`. */
export interface NodeSelector {
  select(nodes: LiveNode[]): LiveNode | null;
}

export const leastLoaded: NodeSelector = {
  select: (nodes) =>
    nodes.reduce<LiveNode | null>((best, node) => {
      if (!best) return node;
      const score = (n: LiveNode) =>
        n.load.sessions / Math.max(1, n.load.workers) + n.load.conferences * 0.01;
      return score(node) < score(best) ? node : best;
    }, null),
};

export const random: NodeSelector = {
  select: (nodes) => (nodes.length === 0 ? null : nodes[Math.floor(Math.random() * nodes.length)]),
};

export const SELECTORS: Record<string, NodeSelector> = { 'least-loaded': leastLoaded, random };

export type NodeGoneListener = (nodeId: string, incarnation: string) => void;

/**
 * A conference this instance placed on a node, counted in the node's load until a heartbeat shows it:
 * the first heartbeat heard after the node answered the conference's offer (the node's messages come
 * in the order it sent them, and its heartbeats count a new session only once its answer is sent).
 */
interface Placement {
  conferenceId: string;
  at: number;
  answeredAt?: number;
}

/** A placement whose offer got no answer stops counting after this long. */
const UNANSWERED_PLACEMENT_MS = 10_000;

/**
 * The media nodes alive now, learnt from their heartbeats. A node that says it is leaving, falls
 * silent, or comes back as a new incarnation (it restarted), is reported gone so its sessions can be
 * marked offline and its conferences placed elsewhere.
 */
@Injectable()
export class MediaNodeRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly nodes: LivePeers<MediaNodeHeartbeat>;
  private heard: Promise<void> = Promise.resolve();
  /** The conferences this instance placed on each node, until the node's heartbeats count them. */
  private readonly placements = new Map<string, Placement[]>();

  constructor(
    bus: ProtocolBus,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.nodes = liveMediaNodes(bus, logger);
  }

  onApplicationBootstrap() {
    this.nodes.start();
    // Every live node beats within MEDIA_HEARTBEAT_MS: until then, one not heard of may well be alive.
    this.heard = new Promise((resolve) => setTimeout(resolve, MEDIA_HEARTBEAT_MS + 250).unref());
  }

  /**
   * Resolves once every live node has had the time to be heard of: a service that just started (or
   * restarted) neither moves a conference off its node nor finds no node at all, for not having
   * listened yet.
   */
  settled(): Promise<void> {
    return this.heard;
  }

  onApplicationShutdown() {
    this.nodes.stop();
  }

  onNodeGone(listener: NodeGoneListener) {
    this.nodes.onGone((node) => listener(node.nodeId, node.incarnation));
  }

  isAlive(nodeId: string | null): boolean {
    return nodeId !== null && this.nodes.get(nodeId) !== undefined;
  }

  /**
   * The node for a new conference (or a spread conference's next node, not one of `except`), counted
   * as placed there at once: a burst of conferences between two heartbeats spreads by the load the
   * placements will bring (a first session each), not all onto the node that looked idlest in the
   * last heartbeat.
   */
  select(conferenceId: string, except: ReadonlySet<string> = new Set()): LiveNode | null {
    const selector = SELECTORS[this.config.media.placement] ?? leastLoaded;
    const candidates = this.nodes.all().filter((node) => !except.has(node.nodeId));
    const chosen = selector.select(candidates.map((node) => this.withPlacements(node)));
    if (chosen) {
      this.placements.set(chosen.nodeId, [...this.pendingOn(chosen), { conferenceId, at: Date.now() }]);
    }
    return chosen;
  }

  /** A placement that did not happen (another instance placed the conference first). */
  unselect(nodeId: string, conferenceId: string): void {
    const pending = this.placements.get(nodeId) ?? [];
    this.placements.set(
      nodeId,
      pending.filter((placement) => placement.conferenceId !== conferenceId),
    );
  }

  /** The node answered an offer of the conference: a placement there shows in its next heartbeat. */
  answered(nodeId: string, conferenceId: string): void {
    const placement = this.placements
      .get(nodeId)
      ?.find((p) => p.conferenceId === conferenceId && p.answeredAt === undefined);
    if (placement) placement.answeredAt = Date.now();
  }

  /**
   * NATS answered that nothing serves the node's subject: the process is gone (a crash shows here at
   * once, its heartbeats only stop). Its sessions are handled as a gone node's and its conferences
   * placed elsewhere on their next offer.
   */
  unreachable(nodeId: string): void {
    this.logger.warn({ nodeId }, 'media node unreachable (no responders): taken as gone');
    this.nodes.forget(nodeId);
  }

  private pendingOn(node: LiveNode): Placement[] {
    const now = Date.now();
    const pending = (this.placements.get(node.nodeId) ?? []).filter((placement) =>
      placement.answeredAt === undefined
        ? now - placement.at < UNANSWERED_PLACEMENT_MS
        : node.lastSeen <= placement.answeredAt,
    );
    this.placements.set(node.nodeId, pending);
    return pending;
  }

  private withPlacements(node: LiveNode): LiveNode {
    const pending = this.pendingOn(node).length;
    if (pending === 0) return node;
    const load = {
      ...node.load,
      sessions: node.load.sessions + pending,
      conferences: node.load.conferences + pending,
    };
    return { ...node, load };
  }
}
