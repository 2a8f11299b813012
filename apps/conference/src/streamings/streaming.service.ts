import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import { OutboundPolicy } from '@mind/outbound';
import {
  RPC,
  resourceChanged,
  errorReply,
  type ApiReply,
  type CreateStreamingRequest,
  type StreamingAliveReport,
} from '@mind/contracts';
import { StreamingEntity } from '../database/entities';
import { ConferenceTransactions, type Emit } from '../events/conference-transactions';
import { toStreaming } from '../representations';
import { ok, scopeOf, type CallContext } from '../api/context';
import { ConferenceEntity } from '../database/entities';
import { RpcEndpoints } from '../messaging/rpc-endpoints';
import { CONFIG } from '@mind/runtime';

const notFound = () => errorReply(404, 'streaming not found', 'streamingId');

/**
 * Streamings are state here; the push itself follows the `created`/`deleted` events (media node).
 * `alive` is what the pushing media node last reported: each change is an `updated` notification.
 */
@Injectable()
export class StreamingService implements OnApplicationBootstrap {
  private readonly outbound: OutboundPolicy;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: ConferenceTransactions,
    private readonly rpc: RpcEndpoints,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.outbound = new OutboundPolicy(config.outbound);
  }

  onApplicationBootstrap() {
    this.rpc.serve(RPC.streamingAlive, (report) => this.reportAlive(report));
  }

  async reportAlive(report: StreamingAliveReport): Promise<{ status: 200 | 404 }> {
    const found = await this.transactions.run(report.conferenceId, async (m, emit) => {
      const conference = await m.findOneBy(ConferenceEntity, { id: report.conferenceId });
      const streaming = await m.findOneBy(StreamingEntity, {
        id: report.streamingId,
        conferenceId: report.conferenceId,
      });
      if (!conference || !streaming) return false;
      if (streaming.alive === report.alive) return true;
      await m.update(StreamingEntity, { id: streaming.id }, { alive: report.alive });
      streaming.alive = report.alive;
      const scope = {
        conferenceId: conference.id,
        applicationId: conference.applicationId,
        actor: { kind: 'platform' } as const,
      };
      emit(
        resourceChanged(scope, { resource: 'streaming', type: 'updated', streaming: toStreaming(streaming) }),
      );
      return true;
    });
    return { status: found ? 200 : 404 };
  }

  async list(ctx: CallContext): Promise<ApiReply> {
    const streamings = await this.dataSource
      .getRepository(StreamingEntity)
      .find({ where: { conferenceId: ctx.conference.id }, order: { createdAt: 'ASC' } });
    return ok(streamings.map(toStreaming));
  }

  async get(ctx: CallContext): Promise<ApiReply> {
    const streaming = await this.dataSource
      .getRepository(StreamingEntity)
      .findOneBy({ id: ctx.command.params.streamingId, conferenceId: ctx.conference.id });
    return streaming ? ok(toStreaming(streaming)) : notFound();
  }

  /**
   * A streaming makes the platform connect where the caller says: only to destinations the outbound
   * rules allow (checked again by the media node each time it connects), and only a few per conference.
   */
  async create(ctx: CallContext): Promise<ApiReply> {
    const { url } = ctx.command.body as unknown as CreateStreamingRequest;
    const destination = await this.outbound.check(url);
    if (!destination.ok) return errorReply(400, `url ${destination.error}`, 'url');
    const limit = this.config.streaming.maxPerConference;
    const streaming = await this.transactions.run(ctx.conference.id, async (m, emit) => {
      if ((await m.countBy(StreamingEntity, { conferenceId: ctx.conference.id })) >= limit) return null;
      const entity = m.create(StreamingEntity, {
        id: randomUUID(),
        conferenceId: ctx.conference.id,
        url,
        alive: false,
        createdAt: new Date(),
      });
      await m.insert(StreamingEntity, entity);
      this.emitChange(emit, ctx, entity, 'created');
      return entity;
    });
    if (!streaming) return errorReply(409, `a conference has at most ${limit} streamings`);
    return ok(toStreaming(streaming));
  }

  async delete(ctx: CallContext): Promise<ApiReply> {
    const deleted = await this.removeWhere(ctx, { id: ctx.command.params.streamingId });
    return deleted > 0 ? ok() : notFound();
  }

  async deleteAll(ctx: CallContext): Promise<ApiReply> {
    await this.removeWhere(ctx, {});
    return ok();
  }

  private removeWhere(ctx: CallContext, where: { id?: string }) {
    return this.transactions.remove(ctx.conference.id, StreamingEntity, where, (emit, streaming) =>
      this.emitChange(emit, ctx, streaming, 'deleted'),
    );
  }

  private emitChange(emit: Emit, ctx: CallContext, streaming: StreamingEntity, type: 'created' | 'deleted') {
    emit(
      resourceChanged(
        scopeOf(ctx),
        type === 'created'
          ? { resource: 'streaming', type, streaming: toStreaming(streaming) }
          : { resource: 'streaming', type, streamingId: streaming.id },
      ),
    );
  }
}
