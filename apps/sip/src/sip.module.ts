import { Module, type DynamicModule } from '@nestjs/common';
import { infrastructureProviders, type ServiceInfrastructure } from '@mind/runtime';
import { SipGateway } from './sip-gateway';

/** A SIP gateway: participants' phone lines, placed as SIP calls and bridged into their conferences. */
@Module({})
export class SipModule {
  static register(infra: ServiceInfrastructure): DynamicModule {
    return {
      module: SipModule,
      providers: [...infrastructureProviders(infra), SipGateway],
    };
  }
}
