import { Module, type DynamicModule } from '@nestjs/common';
import { infrastructureProviders, type ServiceInfrastructure } from '@mind/runtime';
import { ApplicationSockets } from './application-sockets';
import { EventFeed } from './event-feed';

/** The notifier: application sockets, fed by the conference events. */
@Module({})
export class NotifierModule {
  static register(infra: ServiceInfrastructure): DynamicModule {
    return {
      module: NotifierModule,
      providers: [...infrastructureProviders(infra), ApplicationSockets, EventFeed],
    };
  }
}
