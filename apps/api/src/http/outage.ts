import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';
import { pingDatabase } from '#duban/persistence';
import {
  REDIS,
  redisPortOf,
  unavailableDependency,
  type UnavailableDependency,
} from '#duban/platform';

/** Seconds a client is told to wait (Retry-After) while a dependency is unavailable. */
export const RETRY_AFTER_SECONDS = 5;
/** How often an outage is probed to notice (and log) its end. */
const PROBE_INTERVAL_MS = 1000;

const OUTAGE: Record<UnavailableDependency, { code: string; message: string; name: string }> = {
  database: {
    code: 'database_unavailable',
    message: '数据库暂时不可用，请稍后重试',
    name: 'PostgreSQL',
  },
  redis: { code: 'redis_unavailable', message: 'Redis 暂时不可用，请稍后重试', name: 'Redis' },
};

export interface OutageBody {
  statusCode: 503;
  error: 'Service Unavailable';
  message: string;
  code: string;
}

/**
 * Turns "PostgreSQL / Redis is unavailable" errors into 503 with Retry-After (called by the
 * ErrorFilter before anything else), and logs each outage twice: once when the first request
 * meets it, once when a probe finds the dependency back. Requests in between log nothing: an
 * outage is one incident, not one stack trace per request.
 */
@Injectable()
export class OutageMonitor implements OnApplicationShutdown {
  private readonly logger = new Logger('Outage');
  private readonly redisPorts: number[];
  private readonly ongoing = new Map<
    UnavailableDependency,
    { since: Date; requests: number; probe: NodeJS.Timeout; probing: boolean }
  >();

  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.redisPorts = [redisPortOf(config.REDIS_URL)];
  }

  /** The 503 body for an outage error (and the Retry-After header set on `res`), else null. */
  respond(exception: unknown, res: Response): OutageBody | null {
    const kind = unavailableDependency(exception, { redisPorts: this.redisPorts });
    if (!kind) return null;
    this.record(kind, exception);
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    const { code, message } = OUTAGE[kind];
    return { statusCode: 503, error: 'Service Unavailable', message, code };
  }

  /** Dependencies currently known to be unavailable (for tests and health). */
  current(): UnavailableDependency[] {
    return [...this.ongoing.keys()];
  }

  private record(kind: UnavailableDependency, exception: unknown): void {
    const known = this.ongoing.get(kind);
    if (known) {
      known.requests++;
      return;
    }
    const detail = exception instanceof Error ? exception.message : String(exception);
    this.logger.error(
      `${OUTAGE[kind].name} unavailable: requests answer 503 until it is back (${detail})`,
    );
    const probe = setInterval(() => void this.probe(kind), PROBE_INTERVAL_MS);
    probe.unref();
    this.ongoing.set(kind, { since: this.clock.now(), requests: 1, probe, probing: false });
  }

  private async probe(kind: UnavailableDependency): Promise<void> {
    const state = this.ongoing.get(kind);
    if (!state || state.probing) return;
    state.probing = true;
    try {
      if (kind === 'database') await pingDatabase(this.db);
      else await this.redis.ping();
    } catch {
      state.probing = false;
      return;
    }
    clearInterval(state.probe);
    this.ongoing.delete(kind);
    const seconds = Math.round((this.clock.now().getTime() - state.since.getTime()) / 1000);
    this.logger.log(
      `${OUTAGE[kind].name} available again after ${seconds} s; ${state.requests} request(s) answered 503`,
    );
  }

  onApplicationShutdown(): void {
    for (const state of this.ongoing.values()) clearInterval(state.probe);
    this.ongoing.clear();
  }
}
