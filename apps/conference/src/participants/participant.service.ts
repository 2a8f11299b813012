import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateToken, hashToken } from '@mind/auth';
import {
  errorReply,
  type ApiReply,
  type CreateParticipantRequest,
  type UpdateParticipantRequest,
} from '@mind/contracts';
import { ApplicationEntity, ParticipantEntity } from '../database/entities';
import { ConferenceTransactions, type Emit } from '../events/conference-transactions';
import { toParticipant } from '../representations';
import { ok, scopeOf, type CallContext } from '../api/context';
import { participantChanged } from './participant-events';
import { orderForCaller } from './participant-order';

const notFound = () => errorReply(404, 'participant not found', 'participantId');

@Injectable()
export class ParticipantService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: ConferenceTransactions,
  ) {}

  async list(ctx: CallContext): Promise<ApiReply> {
    const participants = await this.dataSource
      .getRepository(ParticipantEntity)
      .find({ where: { conferenceId: ctx.conference.id }, order: { joinedSeq: 'ASC' } });
    return ok(orderForCaller(participants, ctx.principal).map(toParticipant));
  }

  async get(ctx: CallContext): Promise<ApiReply> {
    return ctx.participant ? ok(toParticipant(ctx.participant)) : notFound();
  }

  async create(ctx: CallContext): Promise<ApiReply> {
    const body = ctx.command.body as CreateParticipantRequest;
    const { maxParticipants } = await this.dataSource
      .getRepository(ApplicationEntity)
      .findOneByOrFail({ id: ctx.conference.applicationId });
    const token = generateToken();
    const created = await this.transactions.run(ctx.conference.id, async (m, emit) => {
      // Counted under the conference lock, so concurrent creations cannot overshoot the limit.
      const count = await m.countBy(ParticipantEntity, { conferenceId: ctx.conference.id });
      if (count >= maxParticipants) return null;
      const participant = m.create(ParticipantEntity, {
        id: randomUUID(),
        conferenceId: ctx.conference.id,
        tokenHash: hashToken(token),
        name: body.name ?? '',
        priority: body.priority ?? 1,
        role: body.role ?? 'speaker',
        layout: body.layout ?? ctx.conference.layout,
        language: body.language ?? 'en',
        online: false,
        audio: false,
        video: false,
        secondaryAudio: false,
        secondaryVideo: false,
      });
      await m.insert(ParticipantEntity, participant);
      this.emitChange(emit, ctx, participant, 'created');
      return participant;
    });
    if (!created) {
      return errorReply(403, `the conference already has the maximum of ${maxParticipants} participants`);
    }
    return ok({ ...toParticipant(created), token });
  }

  async update(ctx: CallContext): Promise<ApiReply> {
    const body = ctx.command.body as UpdateParticipantRequest;
    const updated = await this.transactions.run(ctx.conference.id, async (m, emit) => {
      const participant = await m.findOneBy(ParticipantEntity, {
        id: ctx.command.params.participantId,
        conferenceId: ctx.conference.id,
      });
      if (!participant) return null;
      const changes: Partial<ParticipantEntity> = {};
      for (const key of ['name', 'priority', 'role', 'layout', 'language'] as const) {
        const value = body[key];
        if (value != null && value !== participant[key]) Object.assign(changes, { [key]: value });
      }
      if (Object.keys(changes).length > 0) {
        await m.update(ParticipantEntity, { id: participant.id }, changes);
        Object.assign(participant, changes);
        this.emitChange(emit, ctx, participant, 'updated');
      }
      return participant;
    });
    return updated ? ok(toParticipant(updated)) : notFound();
  }

  async delete(ctx: CallContext): Promise<ApiReply> {
    const deleted = await this.removeWhere(ctx, { id: ctx.command.params.participantId });
    return deleted > 0 ? ok() : notFound();
  }

  async deleteAll(ctx: CallContext): Promise<ApiReply> {
    await this.removeWhere(ctx, {});
    return ok();
  }

  private removeWhere(ctx: CallContext, where: { id?: string }) {
    return this.transactions.remove(ctx.conference.id, ParticipantEntity, where, (emit, participant) =>
      this.emitChange(emit, ctx, participant, 'deleted'),
    );
  }

  private emitChange(
    emit: Emit,
    ctx: CallContext,
    participant: ParticipantEntity,
    type: 'created' | 'updated' | 'deleted',
  ) {
    emit(participantChanged(scopeOf(ctx), participant, type));
  }
}
