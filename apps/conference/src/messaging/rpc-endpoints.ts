import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Config } from '@mind/config';
import { subjects } from '@mind/contracts';
import type { Logger } from '@mind/logging';
import { serveRpc, type NatsConnection, type RpcHandler } from '@mind/messaging';
import { CONFIG, LOGGER, NATS } from '../tokens';

/** The queue group of the conference service: its instances share each subject's requests. */
const QUEUE = 'conference';

/**
 * The conference service's NATS request endpoints. A service declares its endpoints when the
 * application starts; they are all unsubscribed when it shuts down.
 */
@Injectable()
export class RpcEndpoints implements OnApplicationShutdown {
  readonly subjects: ReturnType<typeof subjects>;
  private readonly subscriptions: { unsubscribe(): void }[] = [];

  constructor(
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(CONFIG) config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.subjects = subjects(config.nats.prefix);
  }

  /** Answers requests on `subject` with `handler`; a request it fails on gets `onFault`'s answer. */
  serve<TReq, TRes>(
    subject: string,
    handler: RpcHandler<TReq, TRes>,
    onFault: (error: unknown) => TRes,
  ): void {
    this.subscriptions.push(serveRpc(this.nc, subject, QUEUE, this.logger, handler, onFault));
  }

  onApplicationShutdown() {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions.length = 0;
  }
}
