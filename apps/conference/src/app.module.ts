import { Module, type DynamicModule } from '@nestjs/common';
import { API_DISPATCH, PublicApiModule } from '@mind/public-api';
import { ApiModule } from './api/api.module';
import { LocalApiDispatch } from './api/local-api-dispatch';
import { CoreModule, type Infrastructure } from './core.module';

export type { Infrastructure };

/**
 * The conference service: its infrastructure, and the API with the feature modules behind it, served
 * over NATS and, with `MIND_CONFERENCE_API_PORT`, over HTTP as well.
 */
@Module({})
export class AppModule {
  static register(infra: Infrastructure): DynamicModule {
    const http = infra.config.conferenceApiPort
      ? [PublicApiModule.register({ provide: API_DISPATCH, useExisting: LocalApiDispatch }, [ApiModule])]
      : [];
    return { module: AppModule, imports: [CoreModule.register(infra), ApiModule, ...http] };
  }
}
