import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AnyRpc, KeyArgs } from '@mind/contracts';
import { ProtocolBus, type RpcHandler, type Unsubscribable } from '@mind/messaging';

/** The queue group of the conference service: its instances share each subject's requests. */
const QUEUE = 'conference';

/**
 * The conference service's NATS request endpoints. A service declares its endpoints when the
 * application starts; they are all unsubscribed when it shuts down.
 */
@Injectable()
export class RpcEndpoints implements OnApplicationShutdown {
  private readonly subscriptions: Unsubscribable[] = [];

  constructor(private readonly bus: ProtocolBus) {}

  /** Answers the requests of `rpc` with `handler` (a request it fails on gets the RPC's fault reply). */
  serve<R extends AnyRpc>(rpc: R, handler: RpcHandler<R>, ...key: KeyArgs<R>): void {
    this.subscriptions.push(this.bus.serve(rpc, QUEUE, handler, ...key));
  }

  onApplicationShutdown() {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions.length = 0;
  }
}
