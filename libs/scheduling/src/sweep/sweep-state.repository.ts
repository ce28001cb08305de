import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** The only writer of `sweep_state`: that the sweep ran, how often, when and where last. */
@Injectable()
export class SweepStateRepository {
  /** Records one tick by `workerId` at `at`; returns how many ticks have run in all. */
  async recordTick(m: EntityManager, at: Date, workerId: string): Promise<number> {
    const rows: { run_count: string }[] = await m.query(
      `INSERT INTO sweep_state (name, run_count, last_run_at, last_worker)
       VALUES ('sweep', 1, $1, $2)
       ON CONFLICT (name) DO UPDATE
         SET run_count = sweep_state.run_count + 1,
             last_run_at = EXCLUDED.last_run_at,
             last_worker = EXCLUDED.last_worker
       RETURNING run_count`,
      [at, workerId],
    );
    return Number(rows[0].run_count);
  }
}
