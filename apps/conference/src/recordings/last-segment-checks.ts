import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '@mind/config';
import { QUEUE, type LastSegmentCheckJob } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { CONFIG, LOGGER } from '@mind/runtime';
import { OwnQueue } from './own-queue';

/** How long after a stop the node that was recording has to report the segment it was writing. */
const LAST_SEGMENT_GRACE_MS = 15_000;

/**
 * The grace period after a recording stops, as a delayed job in Redis rather than a timer, so that a
 * restart of the conference service loses no check: whichever instance is up when it is due runs it.
 */
@Injectable()
export class LastSegmentChecks implements OnApplicationShutdown {
  private readonly queue: OwnQueue<LastSegmentCheckJob>;

  constructor(@Inject(CONFIG) config: Config, @Inject(LOGGER) logger: Logger) {
    this.queue = new OwnQueue(QUEUE.lastSegmentCheck, config, logger);
  }

  /** Checks the conference's recording when the grace period is over. */
  schedule(conferenceId: string): Promise<void> {
    return this.queue.add({ conferenceId }, { delayMs: LAST_SEGMENT_GRACE_MS });
  }

  /** Runs `check` for each check that is due, on this instance (one of the instances takes each). */
  work(check: (conferenceId: string) => Promise<void>): void {
    this.queue.work((job) => check(job.conferenceId));
  }

  onApplicationShutdown(): Promise<void> {
    return this.queue.close();
  }
}
