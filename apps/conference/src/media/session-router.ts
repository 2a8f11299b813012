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
import { LOGGER } from '@mind/runtime';
import { MediaNodeRegistry } from './media-node-registry';

/** The SDK gives up after 10 s; leave the media node most of that. */
const MEDIA_TIMEOUT_MS = 8000;

/**
 * Route 17: a participant's SDP offer goes to the media node hosting its conference. A conference gets
 * a node on its first session (placement strategy of the registry) and keeps it while the node lives;
 * if the node is gone, the next offer moves the conference to a live one.
 */
@Injectable()
export class SessionRouter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: MediaNodeRegistry,
    private readonly bus: ProtocolBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async offer(ctx: CallContext): Promise<ApiReply> {
    if (ctx.principal.kind !== 'participant') return errorReply(403, 'only a participant has a session');
    const nodeId = await this.nodeFor(ctx.conference);
    if (!nodeId) return errorReply(503, 'no media node is available, please retry');
    const request: SessionOfferRequest = {
      applicationId: ctx.conference.applicationId,
      conferenceId: ctx.conference.id,
      participantId: ctx.principal.participantId,
      sdp: (ctx.command.body as unknown as SessionRequest).sdp,
      traceId: ctx.command.traceId,
    };
    let reply: SessionOfferReply;
    try {
      reply = await this.sendOffer(nodeId, request);
    } catch (error) {
      if (!isNoResponders(error)) return this.noAnswer(error, nodeId, request);
      // The node died (NATS knows at once; its heartbeats only stop): the conference moves now, and
      // this offer is the first on its new node.
      this.registry.unreachable(nodeId);
      const next = await this.nodeFor({ id: ctx.conference.id, mediaNodeId: nodeId });
      if (!next) return errorReply(503, 'no media node is available, please retry');
      try {
        reply = await this.sendOffer(next, request);
      } catch (retryError) {
        return this.noAnswer(retryError, next, request);
      }
    }
    if (reply.status === 200) return ok({ sdp: reply.sdp });
    // Only a 400 is about the offer itself.
    return errorReply(reply.status, reply.error, reply.status === 400 ? 'sdp' : undefined);
  }

  private sendOffer(nodeId: string, request: SessionOfferRequest): Promise<SessionOfferReply> {
    return this.bus.call(RPC.sessionOffer, request, { timeoutMs: MEDIA_TIMEOUT_MS }, nodeId);
  }

  private noAnswer(error: unknown, nodeId: string, request: SessionOfferRequest): ApiReply {
    this.logger.warn({ err: error, nodeId, traceId: request.traceId }, 'media node did not answer an offer');
    return errorReply(503, 'the media node did not answer, please retry');
  }

  /** The live media node hosting a conference, placing it on one if it has none. */
  async nodeFor(conference: Pick<ConferenceEntity, 'id' | 'mediaNodeId'>): Promise<string | null> {
    await this.registry.settled();
    let current = conference.mediaNodeId;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.registry.isAlive(current)) return current;
      const chosen = this.registry.select();
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
      this.registry.unselect(chosen.nodeId);
      const fresh = await this.dataSource.getRepository(ConferenceEntity).findOneBy({ id: conference.id });
      current = fresh?.mediaNodeId ?? null;
    }
    return null;
  }
}
