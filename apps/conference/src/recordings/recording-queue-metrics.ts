import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { meter } from '@mind/telemetry';
import { RecordingService } from './recording.service';

/** The recording queue's depth, for scaling recording workers (waiting, active and delayed jobs). */
@Injectable()
export class RecordingQueueMetrics implements OnApplicationBootstrap {
  constructor(private readonly recordings: RecordingService) {}

  onApplicationBootstrap() {
    meter()
      .createObservableGauge('mind.recording.queue.depth', { description: 'Recording jobs by state' })
      .addCallback(async (result) => {
        const counts = await this.recordings.queueCounts().catch(() => null);
        for (const [state, count] of Object.entries(counts ?? {})) result.observe(count, { state });
      });
  }
}
