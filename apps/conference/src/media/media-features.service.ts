import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import { errorReply, type ApiReply, type DialRequest, type ForwardRequest } from '@mind/contracts';
import { OutboundPolicy } from '@mind/outbound';
import { parseSipAddress, sipConnectUrl } from '@mind/sip';
import { ParticipantEntity } from '../database/entities';
import { ok, type CallContext } from '../api/context';
import { CONFIG } from '@mind/runtime';

/**
 * Operations whose media side (SIP) is not deployed yet. They run the same authentication, scoping,
 * permission and field checks as everything else and then answer truthfully: the feature is not
 * available on this platform yet (501).
 */
@Injectable()
export class MediaFeaturesService {
  private readonly outbound: OutboundPolicy;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CONFIG) config: Config,
  ) {
    this.outbound = new OutboundPolicy(config.outbound);
  }

  async dialUnavailable(ctx: CallContext): Promise<ApiReply> {
    const { from, to, proxy } = ctx.command.body as unknown as DialRequest;
    return this.forParticipant(
      ctx,
      async () =>
        (await this.sipFieldsProblem({ from, to, proxy }, ['to', 'proxy'])) ??
        errorReply(501, 'SIP dial-out is not available on this platform yet'),
    );
  }

  /** There can be no call to forward while SIP is unavailable. */
  async forward(ctx: CallContext): Promise<ApiReply> {
    const { destination } = ctx.command.body as unknown as ForwardRequest;
    return this.forParticipant(
      ctx,
      async () =>
        (await this.sipFieldsProblem({ destination }, ['destination'])) ??
        errorReply(409, 'there is no SIP call with this participant'),
    );
  }

  /** "If there is no call with the participant at the moment, the operation does nothing." */
  async hangup(ctx: CallContext): Promise<ApiReply> {
    return this.forParticipant(ctx, () => ok());
  }

  private async forParticipant(
    ctx: CallContext,
    answer: () => ApiReply | Promise<ApiReply>,
  ): Promise<ApiReply> {
    const participantId = ctx.command.params.participantId;
    if (participantId === undefined) return answer();
    const exists = await this.dataSource
      .getRepository(ParticipantEntity)
      .existsBy({ id: participantId, conferenceId: ctx.conference.id });
    return exists ? answer() : errorReply(404, 'participant not found', 'participantId');
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
