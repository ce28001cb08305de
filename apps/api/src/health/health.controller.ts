import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '#duban/platform';
import { SWEEP_SCHEDULER_ID } from '#duban/scheduling';
import { Public } from '../auth/decorators';
import { ApiQueues } from '../queues.module';

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

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queues: ApiQueues,
  ) {}

  @Public()
  @Get('health')
  @ApiOperation({ summary: 'PostgreSQL, Redis and the queues; 503 names the failing part' })
  @ApiResponse({ status: 200, description: 'Everything answers' })
  @ApiResponse({ status: 503, description: 'A dependency is down; see `checks`' })
  async health(@Res() res: Response): Promise<void> {
    const [postgres, redis, queues] = await Promise.all([
      probe(() => this.db.query('SELECT 1')),
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
    res.status(failing.length ? 503 : 200).json({
      status: failing.length ? 'error' : 'ok',
      ...(failing.length ? { message: `down: ${failing.join(', ')}` } : {}),
      checks,
      // Informational: no worker has registered the sweep yet (it is not an api failure).
      sweepScheduled,
    });
  }
}
