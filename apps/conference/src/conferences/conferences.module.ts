import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ExpiryScheduler } from '../expiry/expiry-scheduler';
import { RecordingsModule } from '../recordings/recordings.module';
import { ConferenceMetrics } from './conference-metrics';
import { ConferenceService } from './conference.service';

/** Conferences from creation to their end (deleted, or expired by the scheduler). */
@Module({
  imports: [EventsModule, RecordingsModule],
  providers: [ConferenceService, ExpiryScheduler, ConferenceMetrics],
  exports: [ConferenceService],
})
export class ConferencesModule {}
