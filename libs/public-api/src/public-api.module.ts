import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Server } from 'node:http';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import { ProtocolBus } from '@mind/messaging';
import { CONFIG, LOGGER } from '@mind/runtime';
import { createStorage } from '@mind/storage';
import { API_DISPATCH, type ApiDispatch } from './api-dispatch';
import { registerApiRoutes } from './api-routes';
import { FailedAuthGuard } from './failed-auth-guard';
import { RateLimiter } from './rate-limiter';
import { proxyApplicationSockets } from './socket-proxy';

/** The rate limits' counters, in the Redis every instance serving the API shares, and blocked addresses. */
@Injectable()
export class RateLimits implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly redis: Redis;
  readonly limiter: RateLimiter;
  readonly guard: FailedAuthGuard;

  constructor(bus: ProtocolBus, @Inject(CONFIG) config: Config, @Inject(LOGGER) logger: Logger) {
    this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', (error) => logger.debug({ err: error }, 'redis unreachable'));
    this.limiter = new RateLimiter(this.redis, config.nats.prefix, config.rateLimits.windowS, logger);
    this.guard = new FailedAuthGuard(this.limiter, bus, config.rateLimits.failedAuthPerIp);
  }

  onApplicationBootstrap() {
    this.guard.start();
  }

  onApplicationShutdown() {
    this.guard.stop();
    this.redis.disconnect();
  }
}

/** The API's routes (one per operation of the contract) and the application socket proxy. */
@Injectable()
export class ApiSurface implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(API_DISPATCH) private readonly calls: ApiDispatch,
    private readonly rates: RateLimits,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit() {
    const { config, logger } = this;
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    const storage = createStorage(config.storage);
    registerApiRoutes(
      fastify,
      this.calls,
      storage,
      { limiter: this.rates.limiter, guard: this.rates.guard, limits: config.rateLimits },
      logger,
    );
    const server = this.host.httpAdapter.getHttpServer() as Server;
    server.headersTimeout = config.http.headersTimeoutMs;
    proxyApplicationSockets(server, config.notifier.url, config.http.headersTimeoutMs, logger);
  }
}

/**
 * The public API on the application's HTTP server. `dispatch` provides `API_DISPATCH` (with the
 * modules it needs in `imports`); CONFIG, LOGGER and the ProtocolBus come from a global module.
 */
@Module({})
export class PublicApiModule {
  static register(dispatch: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return { module: PublicApiModule, imports, providers: [dispatch, RateLimits, ApiSurface] };
  }
}
