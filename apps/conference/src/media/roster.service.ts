import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { Config } from '@mind/config';
import { subjects, type RosterReply, type RosterRequest } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { serveRpc, type NatsConnection } from '@mind/messaging';
import { ConferenceEntity, ParticipantEntity, StreamingEntity } from '../database/entities';
import { toParticipant, toStreaming } from '../representations';
import { CONFIG, LOGGER, NATS } from '../tokens';

/**
 * Tells a media node what of a conference its mixed media needs (layout, participants, recording,
 * streamings) when its room opens or its mixer starts; from then on the node follows the events.
 */
@Injectable()
export class RosterService implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: { unsubscribe(): void };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap() {
    this.subscription = serveRpc<RosterRequest, RosterReply>(
      this.nc,
      subjects(this.config.nats.prefix).mediaRoster,
      'conference',
      this.logger,
      (request) => this.roster(request),
      () => ({ status: 404 }),
    );
  }

  onApplicationShutdown() {
    this.subscription?.unsubscribe();
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
      participants: participants.map(toParticipant),
      streamings: streamings.map(toStreaming),
    };
  }
}
