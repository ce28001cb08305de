import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { MetricsRegistry, ScrapeRefresher } from '#duban/observability';
import { FAILED_JOB_WINDOW_MS } from '#duban/scheduling';
import { ApiQueues } from '../queues.module';

export interface FailedJobs {
  /** Jobs in the queue's failed set: failed for good, no longer retried (the last 5,000 kept). */
  total: number;
  /** Of those, failed within FAILED_JOB_WINDOW_MS (on Redis's clock, as BullMQ stamps them). */
  recent: number;
}

/** Reads a queue's failed set: a sorted set scored by the instant each job failed for good. */
export async function failedJobs(queue: Queue, client: Redis): Promise<FailedJobs> {
  const key = queue.toKey('failed');
  const [seconds, micros] = await client.time();
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const [total, recent] = await Promise.all([
    client.zcard(key),
    client.zcount(key, now - FAILED_JOB_WINDOW_MS, '+inf'),
  ]);
  return { total, recent };
}

/** duban_jobs_failed and duban_jobs_failed_recent per queue, read from Redis on every scrape. */
@Injectable()
export class JobMetrics implements ScrapeRefresher {
  private readonly failed: Gauge<'queue'>;
  private readonly recent: Gauge<'queue'>;

  constructor(
    private readonly queues: ApiQueues,
    metrics: MetricsRegistry,
  ) {
    const registers = [metrics.registry];
    this.failed = new Gauge({
      name: 'duban_jobs_failed',
      help:
        'Jobs that failed for good (no longer retried) and are kept in the queue, by queue. The ' +
        'work of an engine or notifications job is claimed again after its lease; sweep ticks ' +
        'fail while PostgreSQL is away and the next tick redoes them',
      labelNames: ['queue'],
      registers,
    });
    this.recent = new Gauge({
      name: 'duban_jobs_failed_recent',
      help: `Of duban_jobs_failed, those that failed in the last ${FAILED_JOB_WINDOW_MS / 60_000} minutes`,
      labelNames: ['queue'],
      registers,
    });
    metrics.onScrape(this);
  }

  async refresh(): Promise<void> {
    this.failed.reset();
    this.recent.reset();
    await Promise.all(
      this.queues.all().map(async (queue) => {
        // Redis away: the series are withheld (the scrape still answers; /health says why).
        const counts = await failedJobs(queue, this.queues.connection).catch(() => null);
        if (!counts) return;
        this.failed.set({ queue: queue.name }, counts.total);
        this.recent.set({ queue: queue.name }, counts.recent);
      }),
    );
  }
}
