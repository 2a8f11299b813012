import { Inject, Injectable } from '@nestjs/common';
import { RPC, type UtteranceReport } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';
import { LOGGER } from '@mind/runtime';

const RETRY_MS = 1000;
/** An utterance the conference service could not take for this long is dropped (it was told why). */
const GIVE_UP_MS = 120_000;

/**
 * Utterances to the conference service, in the order they were said per conference, each retried
 * until it is taken: a conference service that restarts loses none.
 */
@Injectable()
export class UtteranceDelivery {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly bus: ProtocolBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  send(utterance: UtteranceReport): void {
    const { conferenceId } = utterance;
    const queued = (this.queues.get(conferenceId) ?? Promise.resolve()).then(() => this.deliver(utterance));
    this.queues.set(conferenceId, queued);
    void queued.then(() => this.queues.get(conferenceId) === queued && this.queues.delete(conferenceId));
  }

  /** Resolves once every utterance reported so far is delivered or given up. */
  async drain(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  private async deliver(utterance: UtteranceReport): Promise<void> {
    const since = Date.now();
    for (;;) {
      const reply = await this.bus.call(RPC.utterance, utterance).catch(() => ({ status: 503 as const }));
      if (reply.status !== 503) return;
      if (Date.now() - since > GIVE_UP_MS) {
        this.logger.error(
          { conferenceId: utterance.conferenceId },
          'utterance dropped: the conference service does not take it',
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
