import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { NOTIFICATIONS_QUEUE } from '#duban/notifications';
import { ENGINE_QUEUE } from '#duban/rectification';
import { bullConnection, createQueue, QUEUES } from '#duban/scheduling';

/** The queues the api produces to (or inspects for health), on one fail-fast connection. */
@Injectable()
export class ApiQueues implements OnApplicationShutdown {
  /** The queues' Redis connection (fail-fast), also for reading their keys directly. */
  readonly connection;
  readonly sweep: Queue;
  /** The worker's queues, inspected for jobs that failed for good (health, metrics). */
  readonly engine: Queue;
  readonly notifications: Queue;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.connection = bullConnection(config.REDIS_URL, 'producer');
    this.sweep = createQueue(QUEUES.sweep, config, this.connection);
    this.engine = createQueue(ENGINE_QUEUE, config, this.connection);
    this.notifications = createQueue(NOTIFICATIONS_QUEUE, config, this.connection);
    // Without a listener BullMQ prints connection errors raw; /health reports the outage instead.
    for (const q of this.all()) q.on('error', () => undefined);
  }

  all(): Queue[] {
    return [this.sweep, this.engine, this.notifications];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
    this.connection.disconnect();
  }
}

@Global()
@Module({ providers: [ApiQueues], exports: [ApiQueues] })
export class QueuesModule {}
