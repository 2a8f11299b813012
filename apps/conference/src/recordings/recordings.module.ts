import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { LastSegmentChecks } from './last-segment-checks';
import { RecordingQueueMetrics } from './recording-queue-metrics';
import { RecordingService } from './recording.service';

/** Recording state, the segments media nodes store, and the jobs of the recording workers. */
@Module({
  imports: [EventsModule],
  providers: [RecordingService, RecordingQueueMetrics, LastSegmentChecks],
  exports: [RecordingService],
})
export class RecordingsModule {}
