import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { LastSegmentChecks } from './last-segment-checks';
import { RecordingQueueMetrics } from './recording-queue-metrics';
import { RecordingService } from './recording.service';
import { RecordingTranscripts } from './recording-transcripts';

/** Recording state, the segments media nodes store, the jobs of the recording workers, transcripts. */
@Module({
  imports: [EventsModule],
  providers: [RecordingService, RecordingQueueMetrics, LastSegmentChecks, RecordingTranscripts],
  exports: [RecordingService, RecordingTranscripts],
})
export class RecordingsModule {}
