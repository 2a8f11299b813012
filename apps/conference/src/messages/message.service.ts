import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { errorReply, messageSent, type ApiReply, type SendMessageRequest } from '@mind/contracts';
import { MessageEntity, ParticipantEntity } from '../database/entities';
import { ConferenceTransactions } from '../events/conference-transactions';
import { toMessage } from '../representations';
import { callerId, ok, scopeOf, type CallContext } from '../api/context';

/**
 * Messages are stored (participants whose data channel is not up yet can be served later) and
 * delivered as a `created /messages/{id}` notification to their addressees.
 */
@Injectable()
export class MessageService {
  constructor(private readonly transactions: ConferenceTransactions) {}

  async send(ctx: CallContext): Promise<ApiReply> {
    const body = ctx.command.body as unknown as SendMessageRequest;
    const { conference } = ctx;
    const sentTo = body.sendTo.toLowerCase();
    const message = await this.transactions.run(
      conference.id,
      async (m, emit) => {
        const addressee =
          sentTo === conference.id ||
          sentTo === conference.applicationId ||
          (await m.existsBy(ParticipantEntity, { id: sentTo, conferenceId: conference.id }));
        if (!addressee) return null;
        const entity = m.create(MessageEntity, {
          id: randomUUID(),
          conferenceId: conference.id,
          sentTo,
          sentBy: callerId(ctx.principal),
          sentAt: Date.now(),
          text: body.text,
          persistent: body.persistent ?? false,
        });
        await m.insert(MessageEntity, entity);
        emit(messageSent(scopeOf(ctx), toMessage(entity)));
        return entity;
      },
      'shared',
    );
    return message
      ? ok(toMessage(message))
      : errorReply(
          400,
          'sendTo must be a participant of this conference, the application or the conference',
          'sendTo',
        );
  }
}
