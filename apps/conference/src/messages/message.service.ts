import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import type { Principal } from '@mind/auth';
import {
  errorReply,
  messageSent,
  type ApiCommand,
  type ApiReply,
  type EventScope,
  type MessageResource,
  type SendMessageRequest,
} from '@mind/contracts';
import {
  ConferenceGoneError,
  ConferenceTransactions,
  LOCK_FUNCTION,
  outboxPayload,
} from '../events/conference-transactions';
import { callerId, ok, scopeOf, type CallContext } from '../api/context';

/**
 * One statement, so one round trip, does what a conference transaction would: the caller's checks (the
 * conference is the application's and has not ended; a participant caller still holds its token and
 * role), the conference's shared lock (messages are independent new resources), the addressee check,
 * the message and its event in the outbox. Each step reads the previous one, which is what orders them.
 */
const SEND = `
  WITH locked AS (
         SELECT ${LOCK_FUNCTION.shared} FROM conference
          WHERE id = $1::uuid AND application_id = $8::uuid AND ended_at IS NULL
            AND ($10::bytea IS NULL OR EXISTS (
                  SELECT 1 FROM participant
                   WHERE id = $4::uuid AND conference_id = $1::uuid AND token_hash = $10 AND role = $11))),
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
  constructor(
    private readonly transactions: ConferenceTransactions,
    private readonly dataSource: DataSource,
  ) {}

  async send(ctx: CallContext): Promise<ApiReply> {
    const sent = await this.sendAs(ctx.command, ctx.principal, scopeOf(ctx));
    if (sent) return sent;
    // The caller's checks passed a moment ago: the conference may have gone or ended meanwhile.
    const [conference] = (await this.dataSource.query(
      'SELECT ended_at IS NOT NULL AS ended FROM conference WHERE id = $1',
      [ctx.conference.id],
    )) as { ended: boolean }[];
    if (!conference) throw new ConferenceGoneError('conference not found');
    if (conference.ended) return errorReply(409, 'the conference has ended');
    return errorReply(
      400,
      'sendTo must be a participant of this conference, the application or the conference',
      'sendTo',
    );
  }

  /**
   * Sends as `principal` in `scope`, checking in the same statement that the caller may (see `SEND`):
   * null when nothing was stored (an addressee not in the conference, or a caller who may not send).
   */
  async sendAs(command: ApiCommand, principal: Principal, scope: EventScope): Promise<ApiReply | null> {
    const body = command.body as unknown as SendMessageRequest;
    const message: MessageResource = {
      id: randomUUID(),
      sentTo: body.sendTo.toLowerCase(),
      sentBy: callerId(principal),
      sentAt: Date.now(),
      text: body.text,
    };
    const holder = principal.kind === 'participant';
    const stored = await this.transactions.statement('send_message', SEND, [
      scope.conferenceId,
      message.id,
      message.sentTo,
      message.sentBy,
      message.sentAt,
      message.text,
      body.persistent ?? false,
      scope.applicationId,
      outboxPayload(messageSent(scope, message)),
      holder ? Buffer.from(command.tokenDigest, 'hex') : null,
      holder ? principal.role : null,
    ]);
    return stored === 0 ? null : ok(message);
  }
}
