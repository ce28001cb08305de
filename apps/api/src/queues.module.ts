import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { bullConnection, createQueue, QUEUES } from '#duban/scheduling';

/** The queues the api produces to (or inspects for health), on one fail-fast connection. */
@Injectable()
export class ApiQueues implements OnApplicationShutdown {
  private readonly connection;
  readonly sweep: Queue;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.connection = bullConnection(config.REDIS_URL, 'producer');
    this.sweep = createQueue(QUEUES.sweep, config, this.connection);
    // Without a listener BullMQ prints connection errors raw; /health reports the outage instead.
    this.sweep.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweep.close();
    this.connection.disconnect();
  }
}

@Global()
@Module({ providers: [ApiQueues], exports: [ApiQueues] })
export class QueuesModule {}
