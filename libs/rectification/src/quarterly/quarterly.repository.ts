import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { QuarterRunKind } from '#duban/domain';

/** The quarterly runs: the notices' start and late runs, and the 回头看 draws ('reinspect'). */
export type QuarterRunName = QuarterRunKind | 'reinspect';

/**
 * The only writer of `quarter_runs`: each quarterly run recorded under (zone, quarter, kind) in
 * the same transaction as its effects, so it happens once however many workers or retries.
 * Also reads the time zones the orgs use (orgs are written by the identity repositories).
 */
@Injectable()
export class QuarterlyRepository {
  /** The time zones of the orgs. */
  async zonesInUse(m: EntityManager): Promise<string[]> {
    const rows: { time_zone: string }[] = await m.query(`SELECT DISTINCT time_zone FROM orgs`);
    return rows.map((r) => r.time_zone);
  }

  /** The runs already done among these (zone, quarter) pairs, as `zone quarter kind`; one indexed query. */
  async runsDone(
    m: EntityManager,
    quarters: readonly { timeZone: string; quarter: string }[],
  ): Promise<Set<string>> {
    const runs: { time_zone: string; quarter: string; kind: string }[] = await m.query(
      `SELECT time_zone, quarter, kind FROM quarter_runs
        WHERE (time_zone, quarter) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [quarters.map((x) => x.timeZone), quarters.map((x) => x.quarter)],
    );
    return new Set(runs.map((r) => runId(r.time_zone, r.quarter, r.kind)));
  }

  /** Records the run; false when it was recorded before (it happened, or is happening, elsewhere). */
  async markRun(
    m: EntityManager,
    timeZone: string,
    quarter: string,
    kind: QuarterRunName,
    at: Date,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO quarter_runs (time_zone, quarter, kind, done_at, affected) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [timeZone, quarter, kind, at],
    );
    return rows.length > 0;
  }

  /** How many tasks the run concerned. */
  async setAffected(
    m: EntityManager,
    timeZone: string,
    quarter: string,
    kind: QuarterRunName,
    affected: number,
  ): Promise<void> {
    await m.query(
      `UPDATE quarter_runs SET affected = $4 WHERE time_zone = $1 AND quarter = $2 AND kind = $3`,
      [timeZone, quarter, kind, affected],
    );
  }
}

/** How runsDone() names a run. */
export const runId = (timeZone: string, quarter: string, kind: QuarterRunName | string): string =>
  `${timeZone} ${quarter} ${kind}`;
