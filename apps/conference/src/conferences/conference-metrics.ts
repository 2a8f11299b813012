import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { meter } from '@mind/telemetry';

/** Conferences going on and participants online, across the platform (read when scraped). */
@Injectable()
export class ConferenceMetrics implements OnApplicationBootstrap {
  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap() {
    const conferences = meter().createObservableGauge('mind.conferences', {
      description: 'Conferences not ended',
    });
    const participants = meter().createObservableGauge('mind.participants.online', {
      description: 'Participants online',
    });
    meter().addBatchObservableCallback(
      async (result) => {
        const [row] = await this.dataSource
          .query(
            `SELECT (SELECT count(*) FROM conference WHERE ended_at IS NULL) AS conferences,
                  (SELECT count(*) FROM participant WHERE online) AS participants`,
          )
          .catch(() => [null]);
        if (!row) return;
        result.observe(conferences, Number(row.conferences));
        result.observe(participants, Number(row.participants));
      },
      [conferences, participants],
    );
  }
}
