import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';
import { createStorage } from '@mind/storage';
import { ApplicationTokenCache } from './access/application-token-cache';
import { Authenticator } from './access/authenticator';
import { ApiDispatcher } from './api/api-dispatcher';
import { ConferenceService } from './conferences/conference.service';
import { ConferenceTransactions } from './events/conference-transactions';
import { OutboxRelay } from './events/outbox-relay';
import { ExpiryScheduler } from './expiry/expiry-scheduler';
import { MediaFeaturesService } from './media/media-features.service';
import { MediaNodeRegistry } from './media/media-node-registry';
import { PresenceService } from './media/presence.service';
import { RosterService } from './media/roster.service';
import { RecordingService } from './recordings/recording.service';
import { RecordingQueueMetrics } from './recordings/recording-queue-metrics';
import { ConferenceMetrics } from './conferences/conference-metrics';
import { SessionRouter } from './media/session-router';
import { MessageService } from './messages/message.service';
import { ParticipantService } from './participants/participant.service';
import { StreamingService } from './streamings/streaming.service';
import { CONFIG, LOGGER, STORAGE } from './tokens';
import { RpcEndpoints } from './messaging/rpc-endpoints';

export interface Infrastructure {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  bus: ProtocolBus;
}

@Module({})
export class AppModule {
  static register(infra: Infrastructure): DynamicModule {
    return {
      module: AppModule,
      providers: [
        { provide: CONFIG, useValue: infra.config },
        { provide: LOGGER, useValue: infra.logger },
        { provide: DataSource, useValue: infra.dataSource },
        { provide: ProtocolBus, useValue: infra.bus },
        { provide: STORAGE, useValue: createStorage(infra.config.storage) },
        RpcEndpoints,
        ApplicationTokenCache,
        Authenticator,
        OutboxRelay,
        ConferenceTransactions,
        ExpiryScheduler,
        ConferenceService,
        ParticipantService,
        MessageService,
        StreamingService,
        MediaFeaturesService,
        MediaNodeRegistry,
        SessionRouter,
        PresenceService,
        RosterService,
        RecordingService,
        RecordingQueueMetrics,
        ConferenceMetrics,
        ApiDispatcher,
      ],
    };
  }
}
