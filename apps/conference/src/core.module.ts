import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createStorage } from '@mind/storage';
import { DatabaseChanges } from './database/database-changes';
import { HotReads } from './database/hot-reads';
import { PreparedStatements } from './database/prepared-statements';
import { RpcEndpoints } from './messaging/rpc-endpoints';
import { infrastructureProviders, type ServiceInfrastructure } from '@mind/runtime';
import { STORAGE } from './tokens';

/** What the process brings up before Nest: configuration, logs, NATS and the database. */
export interface Infrastructure extends ServiceInfrastructure {
  dataSource: DataSource;
}

/** The infrastructure every feature module uses, and the service's NATS endpoints. */
@Global()
@Module({})
export class CoreModule {
  static register(infra: Infrastructure): DynamicModule {
    const providers = [
      ...infrastructureProviders(infra),
      { provide: DataSource, useValue: infra.dataSource },
      { provide: STORAGE, useValue: createStorage(infra.config.storage) },
      RpcEndpoints,
      PreparedStatements,
      DatabaseChanges,
      HotReads,
    ];
    return { module: CoreModule, providers, exports: providers };
  }
}
