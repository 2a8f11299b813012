import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  conferenceEnded,
  errorReply,
  resourceChanged,
  recordingKeys,
  type ApiReply,
  type ConferenceResource,
  type CreateConferenceRequest,
  type UpdateConferenceRequest,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import type { ObjectStorage } from '@mind/storage';
import {
  ApplicationEntity,
  ConferenceEntity,
  ParticipantEntity,
  StreamingEntity,
} from '../database/entities';
import { ConferenceTransactions } from '../events/conference-transactions';
import { ExpiryScheduler } from '../expiry/expiry-scheduler';
import { toConference, toParticipant, toStreaming } from '../representations';
import { ok, scopeOf, type ApplicationCallContext, type CallContext } from '../api/context';
import { orderForCaller } from '../participants/participant-order';
import { LOGGER } from '@mind/runtime';
import { STORAGE } from '../tokens';

@Injectable()
export class ConferenceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: ConferenceTransactions,
    private readonly expiry: ExpiryScheduler,
    @Inject(STORAGE) private readonly storage: ObjectStorage,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(ctx: ApplicationCallContext): Promise<ApiReply> {
    const body = ctx.command.body as CreateConferenceRequest;
    const application = await this.dataSource
      .getRepository(ApplicationEntity)
      .findOneByOrFail({ id: ctx.principal.applicationId });
    const id = randomUUID();
    const conference = await this.transactions.run(id, async (m, emit) => {
      const entity = m.create(ConferenceEntity, {
        id,
        applicationId: application.id,
        name: body.name ?? '',
        layout: body.layout ?? 'mosaic',
        recordingStarted: false,
        transcriptionStarted: false,
        // Whole seconds, because endingAt is exposed in epoch seconds and expiry must match it.
        endingAt: new Date((Math.floor(Date.now() / 1000) + application.maxDurationSeconds) * 1000),
        endedAt: null,
      });
      await m.insert(ConferenceEntity, entity);
      emit(
        resourceChanged(
          { conferenceId: id, applicationId: application.id, actor: ctx.actor, traceId: ctx.command.traceId },
          { resource: 'conference', type: 'created', conference: toConference(entity) },
        ),
      );
      return entity;
    });
    this.expiry.consider(conference.endingAt);
    return ok(toConference(conference));
  }

  async get(ctx: CallContext): Promise<ApiReply> {
    const resource: ConferenceResource = toConference(ctx.conference);
    if (ctx.command.query.detailed) {
      resource.transcription = { started: ctx.conference.transcriptionStarted };
      const participants = await this.dataSource
        .getRepository(ParticipantEntity)
        .find({ where: { conferenceId: ctx.conference.id }, order: { joinedSeq: 'ASC' } });
      resource.participants = orderForCaller(participants, ctx.principal).map(toParticipant);
      if (ctx.principal.kind === 'application') {
        const streamings = await this.dataSource
          .getRepository(StreamingEntity)
          .find({ where: { conferenceId: ctx.conference.id }, order: { createdAt: 'ASC' } });
        resource.streamings = streamings.map(toStreaming);
      }
    }
    return ok(resource);
  }

  async delete(ctx: CallContext): Promise<ApiReply> {
    await this.transactions.run(ctx.conference.id, async (m, emit) => {
      await m.delete(ConferenceEntity, { id: ctx.conference.id });
      emit(conferenceEnded(scopeOf(ctx), 'deleted'));
    });
    // "DELETE removes all data": the recordings too. The conference is gone already, so storage
    // trouble is logged rather than failing the call.
    await this.storage
      .deletePrefix(recordingKeys(ctx.conference.id).prefix)
      .catch((error) =>
        this.logger.error({ err: error, conferenceId: ctx.conference.id }, 'recordings not deleted'),
      );
    return ok();
  }

  async update(ctx: CallContext): Promise<ApiReply> {
    const body = ctx.command.body as UpdateConferenceRequest;
    const updated = await this.transactions.run(ctx.conference.id, async (m, emit) => {
      const conference = await m.findOneBy(ConferenceEntity, { id: ctx.conference.id });
      if (!conference) return null;
      const changes: Partial<ConferenceEntity> = {};
      if (body.name != null && body.name !== conference.name) changes.name = body.name;
      if (body.layout != null && body.layout !== conference.layout) changes.layout = body.layout;
      if (Object.keys(changes).length === 0) return conference;
      await m.update(ConferenceEntity, { id: conference.id }, changes);
      Object.assign(conference, changes);
      emit(
        resourceChanged(scopeOf(ctx), {
          resource: 'conference',
          type: 'updated',
          conference: toConference(conference),
        }),
      );
      return conference;
    });
    return updated ? ok(toConference(updated)) : errorReply(404, 'conference not found');
  }
}
