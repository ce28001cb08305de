import { Queue, QueueOptions } from 'bullmq';
import { Redis, RedisOptions } from 'ioredis';
import type { AppConfig } from '#duban/config';
import { RedisStateLogger, watchRedis } from '#duban/platform';

/** Queue names. Each queue's jobs are described next to the feature that handles them. */
export const QUEUES = {
  /** The heartbeat: claims due timers from PostgreSQL and turns them into jobs. */
  sweep: 'sweep',
} as const;

export const SWEEP_SCHEDULER_ID = 'sweep-every-interval';

/**
 * A Redis connection for BullMQ. Workers block on Redis, so they must retry forever
 * (`maxRetriesPerRequest: null`); producers fail fast instead of queueing commands offline.
 * Its errors go to `state`, which logs only when the connection goes down or comes back.
 */
export function bullConnection(
  url: string,
  role: 'worker' | 'producer',
  state: RedisStateLogger = new RedisStateLogger(`BullMQ ${role}`),
): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false };
  return watchRedis(new Redis(url, options), `BullMQ ${role}`, state);
}

export function queueOptions(config: AppConfig, connection: Redis): QueueOptions {
  return { connection, prefix: config.DUBAN_QUEUE_PREFIX };
}

export function createQueue(name: string, config: AppConfig, connection: Redis): Queue {
  return new Queue(name, queueOptions(config, connection));
}
