import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Server } from 'node:http';
import type { Config } from '@mind/config';
import { ProtocolBus } from '@mind/messaging';
import { API_DISPATCH, natsApiDispatch, PublicApiModule } from '@mind/public-api';
import { CONFIG, infrastructureProviders, type ServiceInfrastructure } from '@mind/runtime';
import { startMetricsServer } from '@mind/telemetry';

/** `/metrics` on a port of its own: the API's port is public. */
@Injectable()
export class MetricsPort implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  async onApplicationBootstrap() {
    const { metricsPort, host } = this.config.http;
    if (metricsPort) this.server = await startMetricsServer(metricsPort, host);
  }

  onApplicationShutdown() {
    this.server?.close();
  }
}

/** What the process brings up before Nest: configuration, logger and the protocol bus. */
@Global()
@Module({})
class GatewayInfrastructure {
  static register(infra: ServiceInfrastructure): DynamicModule {
    const providers = infrastructureProviders(infra);
    return { module: GatewayInfrastructure, providers, exports: providers };
  }
}

/** The gateway: the public API in front of the conference service, each call one NATS request. */
@Module({})
export class GatewayModule {
  static register(infra: ServiceInfrastructure): DynamicModule {
    const dispatch = { provide: API_DISPATCH, useFactory: natsApiDispatch, inject: [ProtocolBus] };
    return {
      module: GatewayModule,
      imports: [GatewayInfrastructure.register(infra), PublicApiModule.register(dispatch)],
      providers: [MetricsPort],
    };
  }
}
