import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { unavailableDependency } from './unavailable';

/** Where the state changes go: Nest's Logger by default (the app's JSON logger once it is set). */
export interface RedisStateLog {
  warn(message: string): void;
  log(message: string): void;
}

/**
 * Tells whether one Redis connection is up or down, once per change. ioredis emits `error` on
 * every failed reconnection attempt (several per second while Redis is away) and, without a
 * listener, prints each as "[ioredis] Unhandled error event"; BullMQ re-emits them on its queues
 * and workers. Everything is fed into one of these instead, which writes one line when the
 * connection goes down and one when it is back.
 */
export class RedisStateLogger {
  private state: 'unknown' | 'up' | 'down' = 'unknown';

  constructor(
    private readonly name: string,
    private readonly logger: RedisStateLog = new Logger('Redis'),
  ) {}

  error(err: Error): void {
    if (this.state === 'down') return;
    this.state = 'down';
    this.logger.warn(
      `Redis (${this.name}) unreachable: ${err.message}; retrying, the next line says when it is back`,
    );
  }

  ready(): void {
    if (this.state === 'down') this.logger.log(`Redis (${this.name}) reachable again`);
    this.state = 'up';
  }
}

/**
 * Whether an error re-emitted by BullMQ is its connection failing (rather than a job's
 * problem): the same reading of errors as the api's 503s and the worker's retries.
 */
export function isConnectionError(err: Error): boolean {
  return unavailableDependency(err) !== null;
}

/** Attaches a state logger to a client (every ioredis client this code base creates). */
export function watchRedis<T extends Redis>(
  client: T,
  name: string,
  logger: RedisStateLogger = new RedisStateLogger(name),
): T {
  client.on('error', (err: Error) => logger.error(err));
  client.on('ready', () => logger.ready());
  return client;
}
