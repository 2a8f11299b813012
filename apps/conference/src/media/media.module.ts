import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { SipCallsService } from './sip-calls.service';
import { MediaNodeRegistry } from './media-node-registry';
import { PresenceService } from './presence.service';
import { RosterService } from './roster.service';
import { SessionRouter } from './session-router';

/** Media nodes: which are alive, where conferences go, what they report, and the phone lines (SIP). */
@Module({
  imports: [EventsModule],
  providers: [MediaNodeRegistry, SessionRouter, PresenceService, RosterService, SipCallsService],
  exports: [SessionRouter, SipCallsService],
})
export class MediaModule {}
