import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import {
  RPC,
  dtmfReceived,
  errorReply,
  type ApiReply,
  type DialRequest,
  type ForwardRequest,
  type SipCallCommand,
  type SipDtmfReply,
  type SipDtmfReport,
} from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { isNoResponders, ProtocolBus } from '@mind/messaging';
import { OutboundPolicy } from '@mind/outbound';
import { CONFIG, LOGGER } from '@mind/runtime';
import { parseSipAddress, sipConnectUrl } from '@mind/sip';
import { ApplicationEntity, ConferenceEntity, ParticipantEntity } from '../database/entities';
import { ConferenceTransactions } from '../events/conference-transactions';
import { RpcEndpoints } from '../messaging/rpc-endpoints';
import { ok, type CallContext } from '../api/context';
import { SessionRouter } from './session-router';

const DEFAULT_TIMEOUT_S = 30;
/** A dial's reply comes after the ring timeout at the latest; this is room for the call's setup. */
const DIAL_SETUP_MS = 15_000;
/** A transfer waits for the phone's final NOTIFY (32 s at most on the gateway). */
const FORWARD_TIMEOUT_MS = 40_000;

/**
 * Routes 20-22: a participant's phone line. The dial goes to any SIP gateway, with the media node
 * hosting the conference (placed now if it has none), and answers once the call's fate is known;
 * forward and hang-up go to the gateway holding the participant's call, found by its subject (no
 * gateway answers: there is no call). Keys the phone sends are notified to the application.
 */
@Injectable()
export class SipCallsService implements OnApplicationBootstrap {
  private readonly outbound: OutboundPolicy;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionRouter,
    private readonly bus: ProtocolBus,
    private readonly transactions: ConferenceTransactions,
    private readonly rpc: RpcEndpoints,
    @Inject(CONFIG) config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.outbound = new OutboundPolicy(config.outbound);
  }

  onApplicationBootstrap() {
    this.rpc.serve(RPC.sipDtmf, (report) => this.keyPressed(report));
  }

  /** Independent of other changes (nothing is stored), so it takes the conference's lock shared. */
  async keyPressed(report: SipDtmfReport): Promise<SipDtmfReply> {
    const { conferenceId, participantId, digit, at } = report;
    const found = await this.transactions.run(
      conferenceId,
      async (m, emit) => {
        const conference = await m.findOneBy(ConferenceEntity, { id: conferenceId });
        const participant = await m.existsBy(ParticipantEntity, { id: participantId, conferenceId });
        if (!conference || conference.endedAt || !participant) return false;
        emit(
          dtmfReceived(
            { conferenceId, applicationId: conference.applicationId },
            { participantId, digit, timestamp: at },
          ),
        );
        return true;
      },
      'shared',
    );
    return { status: found ? 200 : 404 };
  }

  async dial(ctx: CallContext): Promise<ApiReply> {
    const { from, to, proxy, timeout } = ctx.command.body as unknown as DialRequest;
    return this.forParticipant(ctx, async (participant) => {
      const problem = await this.sipFieldsProblem({ from, to, proxy }, ['to', 'proxy']);
      if (problem) return problem;
      if (participant.online) return errorReply(409, 'the participant is connected already');
      const nodeId = await this.sessions.nodeFor(ctx.conference);
      if (!nodeId) return errorReply(503, 'no media node is available, please retry');
      const timeoutS = timeout === undefined ? DEFAULT_TIMEOUT_S : Number(timeout);
      const account = await this.dataSource.getRepository(ApplicationEntity).findOne({
        where: { id: ctx.conference.applicationId },
        select: { sipUsername: true, sipPassword: true },
      });
      const request = {
        applicationId: ctx.conference.applicationId,
        conferenceId: ctx.conference.id,
        participantId: participant.id,
        nodeId,
        from,
        to,
        ...(proxy !== undefined ? { proxy } : {}),
        timeoutS,
        ...(account?.sipUsername && account.sipPassword
          ? { credentials: { username: account.sipUsername, password: account.sipPassword } }
          : {}),
        traceId: ctx.command.traceId,
      };
      try {
        const reply = await this.bus.call(RPC.sipDial, request, {
          timeoutMs: timeoutS * 1000 + DIAL_SETUP_MS,
        });
        return reply.status === 200 ? ok({ status: reply.outcome }) : errorReply(reply.status, reply.error);
      } catch (error) {
        if (isNoResponders(error)) return errorReply(503, 'no SIP gateway is available, please retry');
        this.logger.warn({ err: error, traceId: ctx.command.traceId }, 'SIP gateway did not answer a dial');
        return errorReply(503, 'the SIP gateway did not answer, please retry');
      }
    });
  }

  async forward(ctx: CallContext): Promise<ApiReply> {
    const { destination } = ctx.command.body as unknown as ForwardRequest;
    return this.forParticipant(
      ctx,
      async (participant) =>
        (await this.sipFieldsProblem({ destination }, ['destination'])) ??
        this.command(participant.id, { action: 'forward', destination, traceId: ctx.command.traceId }, () =>
          errorReply(409, 'there is no SIP call with this participant'),
        ),
    );
  }

  /** "If there is no call with the participant at the moment, the operation does nothing." */
  async hangup(ctx: CallContext): Promise<ApiReply> {
    return this.forParticipant(ctx, (participant) =>
      this.command(participant.id, { action: 'hangup', traceId: ctx.command.traceId }, () => ok()),
    );
  }

  private async command(
    participantId: string,
    command: SipCallCommand,
    noCall: () => ApiReply,
  ): Promise<ApiReply> {
    try {
      const reply = await this.bus.call(
        RPC.sipCall,
        command,
        { timeoutMs: FORWARD_TIMEOUT_MS },
        participantId,
      );
      return reply.status === 200 ? ok() : errorReply(reply.status, reply.error);
    } catch (error) {
      if (isNoResponders(error)) return noCall();
      this.logger.warn({ err: error, traceId: command.traceId }, 'SIP gateway did not answer a call command');
      return errorReply(503, 'the SIP gateway did not answer, please retry');
    }
  }

  private async forParticipant(
    ctx: CallContext,
    answer: (participant: ParticipantEntity) => ApiReply | Promise<ApiReply>,
  ): Promise<ApiReply> {
    const participantId = ctx.command.params.participantId;
    const participant =
      participantId === undefined
        ? null
        : await this.dataSource
            .getRepository(ParticipantEntity)
            .findOneBy({ id: participantId, conferenceId: ctx.conference.id });
    return participant ? answer(participant) : errorReply(404, 'participant not found', 'participantId');
  }

  /**
   * SIP addresses must be well formed (nothing in them may become another header line), and those the
   * platform would contact must pass the outbound rules, like streaming destinations.
   */
  private async sipFieldsProblem(
    fields: Record<string, string | undefined>,
    contacted: string[],
  ): Promise<ApiReply | null> {
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const parsed = parseSipAddress(value);
      if (!parsed.ok) return errorReply(400, `${field} ${parsed.error}`, field);
      if (!contacted.includes(field)) continue;
      const target = await this.outbound.check(sipConnectUrl(parsed.address));
      if (!target.ok) return errorReply(400, `${field} ${target.error}`, field);
    }
    return null;
  }
}
