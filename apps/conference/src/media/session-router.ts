import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  RPC,
  errorReply,
  type ApiReply,
  type SessionOfferReply,
  type SessionOfferRequest,
  type SessionRequest,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { isNoResponders, ProtocolBus } from '@mind/messaging';
import { ConferenceEntity } from '../database/entities';
import { ok, type CallContext } from '../api/context';
import { CONFIG, LOGGER } from '@mind/runtime';
import type { Config } from '@mind/config';
import { MediaNodeRegistry } from './media-node-registry';

/** Where a participant's session goes: its node, the conference's home node, the conference's other nodes. */
interface Placement {
  node: string;
  home: string;
  peers: string[];
}

/** The SDK gives up after 10 s; leave the media node most of that. */
const MEDIA_TIMEOUT_MS = 8000;

/**
 * Route 17: a participant's SDP offer goes to the media node holding its session. A conference gets a
 * home node on its first session (placement strategy of the registry) and keeps it while the node
 * lives; if the node is gone, the next offer moves the conference to a live one. A conference larger
 * than a node's share spreads its further sessions over other nodes (`place`).
 */
@Injectable()
export class SessionRouter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: MediaNodeRegistry,
    private readonly bus: ProtocolBus,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async offer(ctx: CallContext): Promise<ApiReply> {
    if (ctx.principal.kind !== 'participant') return errorReply(403, 'only a participant has a session');
    const { participantId } = ctx.principal;
    const offer: Omit<SessionOfferRequest, 'home' | 'peers'> = {
      applicationId: ctx.conference.applicationId,
      conferenceId: ctx.conference.id,
      participantId,
      sdp: (ctx.command.body as unknown as SessionRequest).sdp,
      traceId: ctx.command.traceId,
    };
    let placed = await this.place(ctx.conference, participantId);
    if (!placed) return errorReply(503, 'no media node is available, please retry');
    let reply: SessionOfferReply;
    try {
      reply = await this.sendOffer(placed, offer);
    } catch (error) {
      if (!isNoResponders(error)) return this.noAnswer(error, placed.node, offer);
      // The node died (NATS knows at once; its heartbeats only stop): the session moves now, and
      // this offer is the first on its new node.
      this.registry.unreachable(placed.node);
      placed = await this.place({ id: ctx.conference.id, mediaNodeId: placed.home }, participantId);
      if (!placed) return errorReply(503, 'no media node is available, please retry');
      try {
        reply = await this.sendOffer(placed, offer);
      } catch (retryError) {
        return this.noAnswer(retryError, placed.node, offer);
      }
    }
    this.registry.answered(placed.node, offer.conferenceId);
    if (reply.status === 200) return ok({ sdp: reply.sdp });
    // Only a 400 is about the offer itself.
    return errorReply(reply.status, reply.error, reply.status === 400 ? 'sdp' : undefined);
  }

  /**
   * The node for a participant's session. A participant stays on the live node it has; otherwise it
   * goes to the conference's home node until that holds `MIND_MEDIA_SPREAD_ABOVE` of the conference's
   * sessions, then to another node of the conference with room, or a new one (least loaded). The
   * offer names the conference's other nodes, whose streams the node receives over pipes.
   */
  private async place(
    conference: Pick<ConferenceEntity, 'id' | 'mediaNodeId'>,
    participantId: string,
  ): Promise<Placement | null> {
    const home = await this.nodeFor(conference);
    if (!home) return null;
    const rows: { node: string; online: number; mine: boolean }[] = await this.dataSource.query(
      `SELECT media_node_id AS node, count(*) FILTER (WHERE online)::int AS online, bool_or(id = $2) AS mine
         FROM participant WHERE conference_id = $1 AND media_node_id IS NOT NULL GROUP BY media_node_id`,
      [conference.id, participantId],
    );
    const live = rows.filter((row) => this.registry.isAlive(row.node));
    const sessionsOn = (node: string) => live.find((row) => row.node === node)?.online ?? 0;
    const { spreadAbove } = this.config.media;
    let node = live.find((row) => row.mine)?.node;
    if (!node) {
      const roomy = live.find((row) => row.node !== home && row.online < spreadAbove)?.node;
      node =
        sessionsOn(home) < spreadAbove
          ? home
          : (roomy ??
            this.registry.select(conference.id, new Set([home, ...live.map((row) => row.node)]))?.nodeId ??
            home);
      await this.dataSource.query(`UPDATE participant SET media_node_id = $1 WHERE id = $2`, [
        node,
        participantId,
      ]);
    }
    const peers = new Set([home, ...live.filter((row) => row.online > 0).map((row) => row.node)]);
    peers.delete(node);
    return { node, home, peers: [...peers] };
  }

  private sendOffer(
    placed: Placement,
    offer: Omit<SessionOfferRequest, 'home' | 'peers'>,
  ): Promise<SessionOfferReply> {
    const request = { ...offer, home: placed.node === placed.home, peers: placed.peers };
    return this.bus.call(RPC.sessionOffer, request, { timeoutMs: MEDIA_TIMEOUT_MS }, placed.node);
  }

  private noAnswer(error: unknown, nodeId: string, offer: { traceId: string }): ApiReply {
    this.logger.warn({ err: error, nodeId, traceId: offer.traceId }, 'media node did not answer an offer');
    return errorReply(503, 'the media node did not answer, please retry');
  }

  /** The live media node hosting a conference, placing it on one if it has none. */
  async nodeFor(conference: Pick<ConferenceEntity, 'id' | 'mediaNodeId'>): Promise<string | null> {
    await this.registry.settled();
    let current = conference.mediaNodeId;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.registry.isAlive(current)) return current;
      const chosen = this.registry.select(conference.id);
      if (!chosen) return null;
      // Compare-and-set, so instances placing the same conference at once agree on one node.
      // An UPDATE answers [rows, count].
      const [rows]: [{ media_node_id: string }[], number] = await this.dataSource.query(
        `UPDATE conference SET media_node_id = $1
          WHERE id = $2 AND media_node_id IS NOT DISTINCT FROM $3
      RETURNING media_node_id`,
        [chosen.nodeId, conference.id, current],
      );
      if (rows.length > 0) {
        this.logger.info(
          { conferenceId: conference.id, nodeId: chosen.nodeId },
          'conference placed on media node',
        );
        return chosen.nodeId;
      }
      this.registry.unselect(chosen.nodeId, conference.id);
      const fresh = await this.dataSource.getRepository(ConferenceEntity).findOneBy({ id: conference.id });
      current = fresh?.mediaNodeId ?? null;
    }
    return null;
  }
}
