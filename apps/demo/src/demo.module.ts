import { Module, type DynamicModule } from '@nestjs/common';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import { LOGGER } from '@mind/runtime';
import { DemoController } from './demo.controller';
import { DemoAssets } from './demo-assets';
import { RoomDirectory } from './room-directory';

/** The demo web application: a video room page on the web client, and its backend. */
@Module({})
export class DemoModule {
  static register(infra: { config: Config; logger: Logger }): DynamicModule {
    return {
      module: DemoModule,
      controllers: [DemoController],
      providers: [
        { provide: LOGGER, useValue: infra.logger },
        { provide: RoomDirectory, useValue: new RoomDirectory(infra.config.demo) },
        DemoAssets,
      ],
    };
  }
}
