import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT } from '@mind/contracts';
import { ProtocolBus } from '@mind/messaging';
import { ApplicationSockets } from './application-sockets';

/** Feeds the application sockets from the conference events, from the moment the notifier is up. */
@Injectable()
export class EventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private following?: { close(): Promise<void> };

  constructor(
    private readonly bus: ProtocolBus,
    private readonly sockets: ApplicationSockets,
  ) {}

  async onApplicationBootstrap() {
    await this.bus.ensureEventStream();
    this.following = await this.bus.follow(EVENT.conference, (event) => this.sockets.deliver(event));
  }

  async onApplicationShutdown() {
    await this.following?.close().catch(() => undefined);
  }
}
