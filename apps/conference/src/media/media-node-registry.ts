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
 * How long after a placement a node's heartbeat may still not show it: the conference's first session
 * exists on the node once its offer is answered, and the heartbeat in flight was sent before.
 */
const PLACEMENT_SHOWS_MS = 1000;

/**
 * The media nodes alive now, learnt from their heartbeats. A node that says it is leaving, falls
 * silent, or comes back as a new incarnation (it restarted), is reported gone so its sessions can be
 * marked offline and its conferences placed elsewhere.
 */
@Injectable()
export class MediaNodeRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly nodes: LivePeers<MediaNodeHeartbeat>;
  private heard: Promise<void> = Promise.resolve();
  /** When this instance placed conferences on each node, until the node's heartbeats count them. */
  private readonly placements = new Map<string, number[]>();

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
  select(except: ReadonlySet<string> = new Set()): LiveNode | null {
    const selector = SELECTORS[this.config.media.placement] ?? leastLoaded;
    const candidates = this.nodes.all().filter((node) => !except.has(node.nodeId));
    const chosen = selector.select(candidates.map((node) => this.withPlacements(node)));
    if (chosen) this.placements.set(chosen.nodeId, [...this.pendingOn(chosen), Date.now()]);
    return chosen;
  }

  /** A placement that did not happen (another instance placed the conference first). */
  unselect(nodeId: string): void {
    this.placements.get(nodeId)?.pop();
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

  private pendingOn(node: LiveNode): number[] {
    const pending = (this.placements.get(node.nodeId) ?? []).filter(
      (at) => at > node.lastSeen - PLACEMENT_SHOWS_MS,
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
