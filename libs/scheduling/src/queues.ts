import { Queue, QueueOptions } from 'bullmq';
import { Redis, RedisOptions } from 'ioredis';
import type { AppConfig } from '#duban/config';

/** Queue names. Each queue's jobs are described next to the feature that handles them. */
export const QUEUES = {
  /** The heartbeat: claims due timers from PostgreSQL and turns them into jobs. */
  sweep: 'sweep',
} as const;

export const SWEEP_SCHEDULER_ID = 'sweep-every-interval';

/**
 * A Redis connection for BullMQ. Workers block on Redis, so they must retry forever
 * (`maxRetriesPerRequest: null`); producers fail fast instead of queueing commands offline.
 */
export function bullConnection(url: string, role: 'worker' | 'producer'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false };
  return new Redis(url, options);
}

export function queueOptions(config: AppConfig, connection: Redis): QueueOptions {
  return { connection, prefix: config.DUBAN_QUEUE_PREFIX };
}

export function createQueue(name: string, config: AppConfig, connection: Redis): Queue {
  return new Queue(name, queueOptions(config, connection));
}
