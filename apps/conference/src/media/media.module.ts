import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { MediaFeaturesService } from './media-features.service';
import { MediaNodeRegistry } from './media-node-registry';
import { PresenceService } from './presence.service';
import { RosterService } from './roster.service';
import { SessionRouter } from './session-router';

/** Media nodes: which are alive, where conferences go, what they report, and SIP's routes for now. */
@Module({
  imports: [EventsModule],
  providers: [MediaNodeRegistry, SessionRouter, PresenceService, RosterService, MediaFeaturesService],
  exports: [SessionRouter, MediaFeaturesService],
})
export class MediaModule {}
