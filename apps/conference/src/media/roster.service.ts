import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { RPC, type RosterReply, type RosterRequest } from '@mind/contracts';
import { ConferenceEntity, ParticipantEntity, StreamingEntity } from '../database/entities';
import { RpcEndpoints } from '../messaging/rpc-endpoints';
import { toParticipant, toStreaming } from '../representations';

/**
 * Tells a media node what of a conference its mixed media needs (layout, participants, recording,
 * streamings) when its room opens or its mixer starts; from then on the node follows the events.
 */
@Injectable()
export class RosterService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rpc: RpcEndpoints,
  ) {}

  onApplicationBootstrap() {
    this.rpc.serve(RPC.roster, (request) => this.roster(request));
  }

  async roster({ conferenceId }: RosterRequest): Promise<RosterReply> {
    const conference = await this.dataSource.manager.findOneBy(ConferenceEntity, {
      id: conferenceId,
      endedAt: IsNull(),
    });
    if (!conference) return { status: 404 };
    const participants = await this.dataSource.manager.find(ParticipantEntity, {
      where: { conferenceId },
      order: { joinedSeq: 'ASC' },
    });
    const streamings = await this.dataSource.manager.find(StreamingEntity, {
      where: { conferenceId },
      order: { createdAt: 'ASC' },
    });
    return {
      status: 200,
      layout: conference.layout,
      recording: conference.recordingStarted,
      transcription: conference.transcriptionStarted,
      participants: participants.map(toParticipant),
      streamings: streamings.map(toStreaming),
    };
  }
}
