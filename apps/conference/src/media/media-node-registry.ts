import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '@mind/config';
import { EVENT, MEDIA_NODE_TIMEOUT_MS, type MediaNodeHeartbeat } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { ProtocolBus, type Unsubscribable } from '@mind/messaging';
import { CONFIG, LOGGER } from '@mind/runtime';

export interface LiveNode extends MediaNodeHeartbeat {
  lastSeen: number;
}

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
 * The media nodes alive now, learnt from their heartbeats. A node that says it is leaving, falls
 * silent, or comes back as a new incarnation (it restarted), is reported gone so its sessions can be
 * marked offline and its conferences placed elsewhere.
 */
@Injectable()
export class MediaNodeRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly nodes = new Map<string, LiveNode>();
  private readonly goneListeners: NodeGoneListener[] = [];
  private sweep?: NodeJS.Timeout;
  private subscription?: Unsubscribable;

  constructor(
    private readonly bus: ProtocolBus,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    this.subscription = this.bus.listen(EVENT.mediaHeartbeat, (heartbeat) => this.heard(heartbeat));
    this.sweep = setInterval(() => this.forgetSilent(), 1000);
  }

  onApplicationShutdown() {
    clearInterval(this.sweep);
    this.subscription?.unsubscribe();
  }

  onNodeGone(listener: NodeGoneListener) {
    this.goneListeners.push(listener);
  }

  isAlive(nodeId: string | null): boolean {
    return nodeId !== null && this.nodes.has(nodeId);
  }

  select(): LiveNode | null {
    const selector = SELECTORS[this.config.media.placement] ?? leastLoaded;
    return selector.select([...this.nodes.values()]);
  }

  private heard(heartbeat: MediaNodeHeartbeat) {
    const known = this.nodes.get(heartbeat.nodeId);
    if (heartbeat.leaving) {
      if (known?.incarnation !== heartbeat.incarnation) return;
      this.nodes.delete(known.nodeId);
      return this.gone(known);
    }
    if (known && known.incarnation !== heartbeat.incarnation) this.gone(known);
    if (!known || known.incarnation !== heartbeat.incarnation) {
      this.logger.info({ nodeId: heartbeat.nodeId, load: heartbeat.load }, 'media node joined');
    }
    this.nodes.set(heartbeat.nodeId, { ...heartbeat, lastSeen: Date.now() });
  }

  private forgetSilent() {
    const now = Date.now();
    for (const node of this.nodes.values()) {
      if (now - node.lastSeen > MEDIA_NODE_TIMEOUT_MS) {
        this.nodes.delete(node.nodeId);
        this.gone(node);
      }
    }
  }

  private gone(node: LiveNode) {
    this.logger.warn({ nodeId: node.nodeId, incarnation: node.incarnation }, 'media node gone');
    for (const listener of this.goneListeners) listener(node.nodeId, node.incarnation);
  }
}
