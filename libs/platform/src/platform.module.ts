import {
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  DynamicModule,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, Clock } from '#duban/domain';
import { createAppDataSource } from '#duban/persistence';
import { clockOf } from './clock';
import { watchRedis } from './redis-state';

/** Commands to Redis that should fail fast (rate limits, health), not queue while offline. */
export const REDIS = Symbol('Redis');

@Injectable()
class PlatformLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The process-wide infrastructure every app needs: the validated configuration, the one
 * clock, the PostgreSQL data source and a Redis connection.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(
    config: AppConfig,
    options: { poolSize?: number; clock?: Clock } = {},
  ): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? clockOf(config) },
        {
          provide: DataSource,
          // As duban_app: no DDL, no trigger switching, the audit record append-only.
          useFactory: async () =>
            createAppDataSource(
              config.DATABASE_URL,
              options.poolSize,
              config.DUBAN_APP_DATABASE_URL,
            ).initialize(),
        },
        {
          provide: REDIS,
          useFactory: () =>
            watchRedis(
              new Redis(config.REDIS_URL, {
                enableOfflineQueue: false,
                maxRetriesPerRequest: 1,
                lazyConnect: false,
              }),
              'commands',
            ),
        },
        PlatformLifecycle,
      ],
      exports: [APP_CONFIG, CLOCK, DataSource, REDIS],
    };
  }
}
