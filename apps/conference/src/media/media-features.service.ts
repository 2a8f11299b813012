import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { errorReply, type ApiReply } from '@mind/contracts';
import { ParticipantEntity } from '../database/entities';
import { ok, type CallContext } from '../api/context';

/**
 * Operations whose media side (SIP, transcription) is not deployed yet. They run the same
 * authentication, scoping and permission checks as everything else and then answer truthfully:
 * nothing has been transcribed (404), or the feature is not available on this platform yet (501).
 */
@Injectable()
export class MediaFeaturesService {
  constructor(private readonly dataSource: DataSource) {}

  /** Transcribing recordings comes with the transcription feature. */
  async nothingTranscribed(_ctx: CallContext): Promise<ApiReply> {
    return errorReply(404, 'this recording has not been transcribed');
  }

  async dialUnavailable(ctx: CallContext): Promise<ApiReply> {
    return this.forParticipant(ctx, () =>
      errorReply(501, 'SIP dial-out is not available on this platform yet'),
    );
  }

  /** There can be no call to forward while SIP is unavailable. */
  async forward(ctx: CallContext): Promise<ApiReply> {
    return this.forParticipant(ctx, () => errorReply(409, 'there is no SIP call with this participant'));
  }

  /** "If there is no call with the participant at the moment, the operation does nothing." */
  async hangup(ctx: CallContext): Promise<ApiReply> {
    return this.forParticipant(ctx, () => ok());
  }

  private async forParticipant(ctx: CallContext, answer: () => ApiReply): Promise<ApiReply> {
    const participantId = ctx.command.params.participantId;
    if (participantId === undefined) return answer();
    const exists = await this.dataSource
      .getRepository(ParticipantEntity)
      .existsBy({ id: participantId, conferenceId: ctx.conference.id });
    return exists ? answer() : errorReply(404, 'participant not found', 'participantId');
  }
}
