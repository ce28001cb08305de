import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Read-only: the engine's figures for metrics and health, each one statement and one snapshot
 * over tasks, task_effects, deliveries, notifications and accountability_cases (written by
 * their own repositories).
 */

/** How far back the lag between "fires at" and the effect is summarised. */
export const EFFECT_LAG_WINDOW = '1 hour';

/** What is due now and how late recent effects were: cheap, read on every scrape. */
export interface EngineLive {
  due: { source: string; count: number; oldest: string | null }[];
  lag: { kind: string; n: number; p50: number; p95: number; max: number }[];
}

/** Grouped counts over whole tables. */
export interface EngineTotals {
  effects: { kind: string; level: number | null; superseded: boolean; n: number }[];
  deliveries: { channel: string; state: string; n: number }[];
  cases: { state: string; n: number }[];
}

/**
 * One statement, one snapshot. Every part is an index range scan: task_timers_due,
 * deliveries_due, deliveries_digest_due, notifications_chase_due and task_effects_fired.
 */
const ENGINE_LIVE_SQL = `
SELECT
  json_build_array(
    json_build_object('source', 'task',
      'count', (SELECT count(*) FROM task_timers WHERE next_fire_at <= $1),
      'oldest', (SELECT min(next_fire_at) FROM task_timers WHERE next_fire_at <= $1)),
    json_build_object('source', 'delivery',
      'count', (SELECT count(*) FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $1),
      'oldest', (SELECT min(next_attempt_at) FROM deliveries
                  WHERE state = 'pending' AND next_attempt_at <= $1)),
    json_build_object('source', 'digest',
      'count', (SELECT count(*) FROM deliveries
                 WHERE state = 'pending' AND digest_id IS NULL AND digest_due_at <= $1),
      'oldest', (SELECT min(digest_due_at) FROM deliveries
                  WHERE state = 'pending' AND digest_id IS NULL AND digest_due_at <= $1)),
    json_build_object('source', 'chase',
      'count', (SELECT count(*) FROM notifications WHERE next_chase_at <= $1 AND read_at IS NULL),
      'oldest', (SELECT min(next_chase_at) FROM notifications
                  WHERE next_chase_at <= $1 AND read_at IS NULL))
  ) AS due,
  (SELECT coalesce(json_agg(l), '[]') FROM (
     SELECT kind, count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY lag) AS p95,
            max(lag) AS max
       FROM (SELECT kind, extract(epoch FROM fired_at - planned_at)::float8 AS lag
               FROM task_effects
              WHERE fired_at > $1::timestamptz - interval '${EFFECT_LAG_WINDOW}' AND fired_at <= $1
                AND NOT superseded) w
      GROUP BY kind) l) AS lag`;

/** One statement, one snapshot: grouped counts over task_effects, deliveries and cases. */
const ENGINE_TOTALS_SQL = `
SELECT
  (SELECT coalesce(json_agg(e), '[]') FROM (
     SELECT kind, level, superseded, count(*)::int AS n
       FROM task_effects GROUP BY kind, level, superseded) e) AS effects,
  (SELECT coalesce(json_agg(d), '[]') FROM (
     SELECT channel, state, count(*)::int AS n FROM deliveries GROUP BY channel, state) d) AS deliveries,
  (SELECT coalesce(json_agg(c), '[]') FROM (
     SELECT state, count(*)::int AS n FROM accountability_cases GROUP BY state) c) AS cases`;

/**
 * The oldest due timer of each source the sweep claims, with the lease taken into account by
 * the bound (stuck-work.ts), not here: a claimed timer is still unapplied. Index range scans.
 */
const OLDEST_DUE_SQL = `
SELECT (SELECT min(next_fire_at) FROM task_timers WHERE next_fire_at <= $1) AS task,
       (SELECT min(next_attempt_at) FROM deliveries
         WHERE state = 'pending' AND next_attempt_at <= $1) AS delivery`;

@Injectable()
export class EngineFiguresRepository {
  /** What is due now and how late recent effects were (cheap: index range scans). */
  async live(m: EntityManager, now: Date): Promise<EngineLive> {
    const rows: EngineLive[] = await m.query(ENGINE_LIVE_SQL, [now]);
    return rows[0];
  }

  /** Grouped counts over whole tables (reads every row: callers cache it). */
  async totals(m: EntityManager): Promise<EngineTotals> {
    const rows: EngineTotals[] = await m.query(ENGINE_TOTALS_SQL);
    return rows[0];
  }

  /** The oldest due task timer and delivery attempt, null where none is due. */
  async oldestDue(
    m: EntityManager,
    now: Date,
  ): Promise<{ task: Date | null; delivery: Date | null }> {
    const [row]: { task: Date | null; delivery: Date | null }[] = await m.query(OLDEST_DUE_SQL, [
      now,
    ]);
    return row;
  }

  /** Whether PostgreSQL answers. */
  async ping(m: EntityManager): Promise<void> {
    await m.query('SELECT 1');
  }
}
