import 'reflect-metadata';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { AppConfig, loadConfig } from '#duban/config';
import type { Clock } from '#duban/domain';
import { PlatformModule } from '#duban/platform';
import { RectificationModule } from '#duban/rectification';
import { bullConnection } from '#duban/scheduling';
import { BENCH_DATABASE_URL } from './bench-db';

/** A clock the benchmark sets: "now" is fixed for the whole measured run. */
export class FixedClock implements Clock {
  constructor(public instant: Date) {}
  now(): Date {
    return new Date(this.instant);
  }
}

export function benchConfig(prefix: string): AppConfig {
  return loadConfig({
    DATABASE_URL: BENCH_DATABASE_URL,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    DUBAN_JWT_SECRET: 'bench-secret-'.padEnd(48, 'x'),
    DUBAN_QUEUE_PREFIX: prefix,
    DUBAN_LOG_LEVEL: 'warn',
    // E-mail on (so deliveries are created and queued); nothing is ever sent in a benchmark.
    SMTP_URL: 'smtp://127.0.0.1:2525',
  });
}

/** The worker's use cases in this process: what a worker runs, minus BullMQ's consumer loop. */
export async function engineContext(
  clock: Clock,
  prefix: string,
): Promise<INestApplicationContext> {
  const config = benchConfig(prefix);
  @Module({
    imports: [PlatformModule.forRoot(config, { clock, poolSize: 12 }), RectificationModule],
  })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
}

/** A BullMQ queue under the benchmark's prefix, removed afterwards. */
export function benchQueue(
  name: string,
  prefix: string,
): { queue: Queue; close: () => Promise<void> } {
  const connection = bullConnection(
    process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    'worker',
  );
  const queue = new Queue(name, { connection, prefix });
  return {
    queue,
    close: async () => {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    },
  };
}

export const seconds = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e9;

/** Peak resident set size of this process so far, in MB. */
export const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

export interface Figure {
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal?: string;
  met?: boolean;
  note?: string;
  /**
   * The figure per item (per task, per row, per request), compared across scales by
   * `npm run bench -- growth`: the cost of one item must not grow with the province.
   */
  perItem?: { key: string; value: number; higherIsBetter?: boolean };
}
