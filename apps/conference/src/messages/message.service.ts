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
import { inTraceOf } from '@mind/telemetry';
import {
  ConferenceGoneError,
  ConferenceTransactions,
  LOCK_FUNCTION,
  outboxPayload,
  type OutboxPayload,
} from '../events/conference-transactions';
import { KeyedBatches } from '../database/keyed-batches';
import { callerId, ok, scopeOf, type CallContext } from '../api/context';

/**
 * One statement, so one round trip, does for a batch of messages to one conference what a conference
 * transaction would: the conference is the application's and has not ended; the conference's shared
 * lock (messages are independent new resources); then for each message the sender's checks (a
 * participant sender still holds its token and role) and the addressee's; the messages that pass and
 * their events in the outbox, in the batch's order. It answers the `n` of each message stored.
 */
const SEND = `
  WITH locked AS (
         SELECT ${LOCK_FUNCTION.shared} FROM conference
          WHERE id = $1::uuid AND application_id = $2::uuid AND ended_at IS NULL),
       sent AS (
         SELECT m.* FROM locked, jsonb_to_recordset($3::jsonb) AS m(
                  n int, id uuid, sent_to uuid, sent_by uuid, sent_at bigint, text text, persistent boolean,
                  payload jsonb, token_hash text, role text)
          WHERE (m.token_hash IS NULL OR EXISTS (
                  SELECT 1 FROM participant
                   WHERE id = m.sent_by AND conference_id = $1::uuid
                     AND token_hash = decode(m.token_hash, 'hex') AND role = m.role))
            AND (m.sent_to IN ($1::uuid, $2::uuid)
                 OR EXISTS (SELECT 1 FROM participant WHERE id = m.sent_to AND conference_id = $1::uuid))),
       stored AS (
         INSERT INTO message (id, conference_id, sent_to, sent_by, sent_at, text, persistent)
         SELECT id, $1::uuid, sent_to, sent_by, sent_at, text, persistent FROM sent ORDER BY n),
       appended AS (
         INSERT INTO outbox (conference_id, payload) SELECT $1::uuid, payload FROM sent ORDER BY n)
  SELECT n FROM sent`;

/** A message as `SEND` takes it, with what its sender must still hold (a participant's token and role). */
interface Outgoing {
  conferenceId: string;
  applicationId: string;
  row: {
    id: string;
    sent_to: string;
    sent_by: string;
    sent_at: number;
    text: string;
    persistent: boolean;
    payload: OutboxPayload;
    token_hash: string | null;
    role: string | null;
  };
}

/**
 * Messages are stored (participants whose data channel is not up yet can be served later) and
 * delivered as a `created /messages/{id}` notification to their addressees.
 */
@Injectable()
export class MessageService {
  /** Sends to one conference in batches: see `KeyedBatches`. */
  private readonly batches = new KeyedBatches<Outgoing, boolean>((_key, items) => this.write(items));

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
    const stored = await this.batches.submit(`${scope.applicationId}/${scope.conferenceId}`, {
      conferenceId: scope.conferenceId,
      applicationId: scope.applicationId,
      row: {
        id: message.id,
        sent_to: message.sentTo,
        sent_by: message.sentBy,
        sent_at: message.sentAt,
        text: message.text,
        persistent: body.persistent ?? false,
        payload: outboxPayload(messageSent(scope, message)),
        token_hash: holder ? command.tokenDigest : null,
        role: holder ? principal.role : null,
      },
    });
    return stored ? ok(message) : null;
  }

  /** Writes a batch of one conference's messages (in the trace of the first). */
  private async write(items: Outgoing[]): Promise<boolean[]> {
    const [first] = items as [Outgoing];
    const rows = items.map(({ row }, n) => ({ n, ...row }));
    const sent = await inTraceOf(first.row.payload.trace, () =>
      this.transactions.statement<{ n: number }>('send_messages', SEND, [
        first.conferenceId,
        first.applicationId,
        JSON.stringify(rows),
      ]),
    );
    const stored = new Set(sent.map(({ n }) => n));
    return items.map((_item, n) => stored.has(n));
  }
}
