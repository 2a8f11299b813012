import {
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';
import { observeLoad, observeMediasoup } from './media-metrics';
import { MediaNode } from './media-node';
import { WorkerPool } from './worker-pool';

/**
 * Brings the node up in order (mediasoup workers, then the node that serves offers and follows
 * events) and down in the reverse order: the node leaves and stores its last segments before its
 * workers stop.
 */
@Injectable()
export class MediaNodeLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly pool: WorkerPool,
    private readonly node: MediaNode,
  ) {}

  async onModuleInit() {
    await this.pool.start();
    await this.node.start();
    observeLoad(() => this.node.load);
  }

  async onApplicationShutdown() {
    await this.node.close();
    this.pool.close();
  }
}

/** A media node: mediasoup workers, the rooms of the conferences placed on it, their mixers. */
@Module({})
export class MediaModule {
  static register(infra: { config: Config; logger: Logger; bus: ProtocolBus }): DynamicModule {
    // Counts every mediasoup object from the first worker on.
    observeMediasoup();
    const { media } = infra.config;
    return {
      module: MediaModule,
      providers: [
        { provide: ProtocolBus, useValue: infra.bus },
        {
          provide: WorkerPool,
          useFactory: () =>
            new WorkerPool(
              { size: media.workers, rtcMinPort: media.rtcMinPort, rtcMaxPort: media.rtcMaxPort },
              infra.logger,
            ),
        },
        {
          provide: MediaNode,
          inject: [ProtocolBus, WorkerPool],
          useFactory: (bus: ProtocolBus, pool: WorkerPool) =>
            new MediaNode(bus, pool, infra.config, infra.logger),
        },
        MediaNodeLifecycle,
      ],
    };
  }
}
