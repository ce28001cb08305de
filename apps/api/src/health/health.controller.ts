import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';
import { EngineFiguresRepository } from '#duban/observability';
import { REDIS } from '#duban/platform';
import {
  type EngineFigures,
  engineFindings,
  stuckAfterMs,
  SWEEP_SCHEDULER_ID,
} from '#duban/scheduling';
import { Public } from '../auth/decorators';
import { ApiQueues } from '../queues.module';
import { failedJobs } from './failed-jobs';

type Check = { status: 'up' } | { status: 'down'; message: string };

const TIMEOUT_MS = 2000;

async function probe(fn: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)),
          TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'up' };
  } catch (e) {
    return { status: 'down', message: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

export class HealthCheckResponse {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiPropertyOptional({ description: 'Why it is down' }) message?: string;
}

export class HealthChecksResponse {
  @ApiProperty({ type: HealthCheckResponse }) postgres!: HealthCheckResponse;
  @ApiProperty({ type: HealthCheckResponse }) redis!: HealthCheckResponse;
  @ApiProperty({ type: HealthCheckResponse }) queues!: HealthCheckResponse;
}

export class HealthEngineResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number', nullable: true },
    description: 'Age in seconds of the oldest due timer, by source (task, delivery)',
  })
  oldestDueSeconds!: Record<string, number | null>;
  @ApiProperty() stuckAfterSeconds!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Jobs that failed for good in the last 15 minutes, by queue',
  })
  recentlyFailedJobs!: Record<string, number>;
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'degraded', 'error'] }) status!: 'ok' | 'degraded' | 'error';
  @ApiPropertyOptional({ description: 'What is down or stuck' }) message?: string;
  @ApiProperty({ type: HealthChecksResponse }) checks!: HealthChecksResponse;
  @ApiProperty({ type: HealthEngineResponse }) engine!: HealthEngineResponse;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'Whether a worker has registered the sweep (null when the queues are down)',
  })
  sweepScheduled!: boolean | null;
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queues: ApiQueues,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly readings: EngineFiguresRepository,
  ) {}

  /** The engine's figures behind `degraded`; a part that cannot be read is left out. */
  private async engine(postgresUp: boolean, redisUp: boolean): Promise<EngineFigures> {
    const figures: EngineFigures = { oldestDueSeconds: {}, recentlyFailedJobs: {} };
    const now = this.clock.now();
    await Promise.all([
      postgresUp &&
        probe(async () => {
          const row = await this.readings.oldestDue(this.db.manager, now);
          for (const source of ['task', 'delivery'] as const) {
            const oldest = row[source];
            figures.oldestDueSeconds[source] = oldest
              ? Math.max(0, (now.getTime() - new Date(oldest).getTime()) / 1000)
              : null;
          }
        }),
      redisUp &&
        probe(async () => {
          // The sweep is left out: a tick that fails (PostgreSQL away) is redone by the next.
          for (const queue of [this.queues.engine, this.queues.notifications]) {
            figures.recentlyFailedJobs[queue.name] = (
              await failedJobs(queue, this.queues.connection)
            ).recent;
          }
        }),
    ]);
    return figures;
  }

  @Public()
  @Get('health')
  @ApiOperation({
    summary:
      'PostgreSQL, Redis and the queues; 503 names the failing part. 200 with status ' +
      "'degraded' when engine work is stuck (a due timer older than lease + 2 sweep " +
      'intervals, or jobs that failed for good in the last 15 minutes); `message` names the figure',
  })
  @ApiResponse({
    status: 200,
    type: HealthResponse,
    description: "Everything answers ('ok'), or work is stuck ('degraded')",
  })
  @ApiResponse({
    status: 503,
    type: HealthResponse,
    description: "A dependency is down ('error'); see `checks`",
  })
  async health(@Res() res: Response): Promise<void> {
    const [postgres, redis, queues] = await Promise.all([
      probe(() => this.readings.ping(this.db.manager)),
      probe(() => this.redis.ping()),
      probe(() => this.queues.sweep.getJobCounts()),
    ]);
    const checks = { postgres, redis, queues };
    const failing = Object.entries(checks)
      .filter(([, c]) => c.status === 'down')
      .map(([name]) => name);
    let sweepScheduled: boolean | null = null;
    if (queues.status === 'up') {
      sweepScheduled =
        (await this.queues.sweep.getJobScheduler(SWEEP_SCHEDULER_ID).catch(() => null)) != null;
    }
    const figures = await this.engine(postgres.status === 'up', redis.status === 'up');
    const stuckAfter = stuckAfterMs(this.config);
    const findings = engineFindings(figures, stuckAfter);
    const status = failing.length ? 'error' : findings.length ? 'degraded' : 'ok';
    const message = failing.length
      ? `down: ${failing.join(', ')}`
      : findings.length
        ? `degraded: ${findings.join('; ')}`
        : undefined;
    res.status(failing.length ? 503 : 200).json({
      status,
      ...(message ? { message } : {}),
      checks,
      engine: {
        oldestDueSeconds: figures.oldestDueSeconds,
        stuckAfterSeconds: stuckAfter / 1000,
        recentlyFailedJobs: figures.recentlyFailedJobs,
      },
      // Informational: no worker has registered the sweep yet (it is not an api failure).
      sweepScheduled,
    });
  }
}
