import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '#duban/domain';

export interface SweepResult {
  runCount: number;
  ranAt: string;
}

/**
 * The heartbeat of the engine. Each tick records that it ran (the due-timer claims of the
 * supervision engine are added here), so operators can see the sweep is alive and when it last
 * ran from PostgreSQL alone.
 */
@Injectable()
export class SweepService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async tick(workerId: string): Promise<SweepResult> {
    const now = this.clock.now();
    const rows: { run_count: string }[] = await this.db.query(
      `INSERT INTO sweep_state (name, run_count, last_run_at, last_worker)
       VALUES ('sweep', 1, $1, $2)
       ON CONFLICT (name) DO UPDATE
         SET run_count = sweep_state.run_count + 1,
             last_run_at = EXCLUDED.last_run_at,
             last_worker = EXCLUDED.last_worker
       RETURNING run_count`,
      [now, workerId],
    );
    return { runCount: Number(rows[0].run_count), ranAt: now.toISOString() };
  }
}
