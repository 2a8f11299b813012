import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  errorReply,
  messageSent,
  type ApiReply,
  type MessageResource,
  type SendMessageRequest,
} from '@mind/contracts';
import { ConferenceTransactions, LOCK_FUNCTION, outboxPayload } from '../events/conference-transactions';
import { callerId, ok, scopeOf, type CallContext } from '../api/context';

/**
 * One statement, so one round trip, does what a conference transaction would: the conference's shared
 * lock (messages are independent new resources), the addressee check, the message and its event in the
 * outbox. Each step reads the previous one, which is what orders them.
 */
const SEND = `
  WITH locked AS (SELECT ${LOCK_FUNCTION.shared}),
       stored AS (
         INSERT INTO message (id, conference_id, sent_to, sent_by, sent_at, text, persistent)
         SELECT $2, $1::uuid, $3, $4, $5, $6, $7 FROM locked
          WHERE $3 IN ($1::uuid, $8)
             OR EXISTS (SELECT 1 FROM participant WHERE id = $3 AND conference_id = $1::uuid)
         RETURNING conference_id)
  INSERT INTO outbox (conference_id, payload) SELECT conference_id, $9 FROM stored RETURNING seq`;

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
    const message: MessageResource = {
      id: randomUUID(),
      sentTo: body.sendTo.toLowerCase(),
      sentBy: callerId(ctx.principal),
      sentAt: Date.now(),
      text: body.text,
    };
    const stored = await this.transactions.statement('send_message', SEND, [
      conference.id,
      message.id,
      message.sentTo,
      message.sentBy,
      message.sentAt,
      message.text,
      body.persistent ?? false,
      conference.applicationId,
      outboxPayload(messageSent(scopeOf(ctx), message)),
    ]);
    if (stored === 0) {
      return errorReply(
        400,
        'sendTo must be a participant of this conference, the application or the conference',
        'sendTo',
      );
    }
    return ok(message);
  }
}
