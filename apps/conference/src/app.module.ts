import { Module, type DynamicModule } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { CoreModule, type Infrastructure } from './core.module';

export type { Infrastructure };

/** The conference service: its infrastructure, and the API with the feature modules behind it. */
@Module({})
export class AppModule {
  static register(infra: Infrastructure): DynamicModule {
    return { module: AppModule, imports: [CoreModule.register(infra), ApiModule] };
  }
}
