import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { type ChunkCursor, openCursor, returning } from '#duban/persistence';
import {
  type ClaimedTimer,
  type LadderTask,
  type LadderTaskRow,
  type LadderTaskUpdate,
  type PersonTasks,
  type PersonTasksRow,
  toLadderTask,
  toPersonTasks,
} from './task-engine-rows';

/**
 * The only writer of `tasks` and `extensions`: every statement that reads or changes a
 * measure's row lives here, next to its row mapping. Services pass their transaction's
 * EntityManager explicitly.
 */
@Injectable()
export class TasksRepository {
  // ── lifecycle: create, transitions, extensions, reassignment (TasksService, administration) ──

  // ── engine: ladder levels, timers, policy changes, quarterly notices, calendar changes ──
  // (row mapping in task-engine-rows.ts)

  /** Late for the quarter ($1 the zone, $2 its start): open, created before it, no progress since. */
  private static readonly QUARTER_LATE = `ro.id = t.responsible_org_id AND ro.time_zone = $1
    AND t.state IN ('assigned', 'in_progress') AND t.withdrawn_at IS NULL AND t.created_at < $2
    AND (t.last_progress_at IS NULL OR t.last_progress_at < $2)`;

  /**
   * Locks a batch of tasks for one ladder pass, in id order (two batches that share tasks
   * cannot deadlock), with their responsible org and problem. One statement for the batch.
   */
  async lockForLadder(m: EntityManager, taskIds: readonly string[]): Promise<LadderTask[]> {
    const rows: LadderTaskRow[] = await m.query(
      `SELECT t.id, t.state, t.measure, t.due_at, t.deadline_set_at, t.escalation_level, t.raising_org_id,
              t.raising_org_path::text AS raising_org_path, t.responsible_org_id,
              t.responsible_org_path::text AS responsible_org_path, ro.name AS responsible_org_name,
              ro.parent_id AS responsible_parent_id, t.responsible_user_id, t.leader_user_id, ro.time_zone,
              p.severity, p.id AS problem_id, p.title AS problem_title
         FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id JOIN problems p ON p.id = t.problem_id
        WHERE t.id = ANY($1::uuid[]) ORDER BY t.id FOR UPDATE OF t`,
      [[...new Set(taskIds)]],
    );
    return rows.map(toLadderTask);
  }

  /**
   * Writes one ladder pass on the tasks it locked, set-based: levels only rise, the 督办 and
   * 通报 marks once set stay set, the next timer is replaced and the claim released.
   */
  async applyLadderPass(m: EntityManager, updates: readonly LadderTaskUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await m.query(
      `UPDATE tasks t SET escalation_level = greatest(t.escalation_level, x.level),
              supervised = t.supervised OR x.supervised,
              circulated = t.circulated OR x.circulated,
              next_fire_at = x.next_fire_at, claimed_until = NULL
         FROM unnest($1::uuid[], $2::int[], $3::boolean[], $4::boolean[], $5::timestamptz[])
           AS x(id, level, supervised, circulated, next_fire_at)
        WHERE t.id = x.id`,
      [
        updates.map((u) => u.id),
        updates.map((u) => u.marks.level),
        updates.map((u) => u.marks.supervised),
        updates.map((u) => u.marks.circulated),
        updates.map((u) => u.nextFireAt),
      ],
    );
  }

  /**
   * Claims up to `limit` tasks whose timer is due (next_fire_at <= now) and not claimed, for a
   * lease of `leaseMs`; others claiming at the same time skip the locked rows.
   */
  async claimDueTimers(
    m: EntityManager,
    now: Date,
    limit: number,
    leaseMs: number,
  ): Promise<ClaimedTimer[]> {
    const rows = await returning<{ id: string; next_fire_at: Date }>(
      m,
      `UPDATE tasks SET claimed_until = $2::timestamptz + make_interval(secs => $3::double precision / 1000)
        WHERE id IN (
          SELECT id FROM tasks
           WHERE next_fire_at <= $2 AND (claimed_until IS NULL OR claimed_until < $2)
             AND withdrawn_at IS NULL
           ORDER BY next_fire_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id, next_fire_at`,
      [limit, now, leaseMs],
    );
    return rows.map((r) => ({ id: r.id, nextFireAt: r.next_fire_at }));
  }

  /**
   * A new escalation policy on an org: the open tasks it and the orgs below it raised are due
   * for planning again at `at` (steps already taken stay taken).
   */
  async replanRaisedUnder(m: EntityManager, orgPath: string, at: Date): Promise<void> {
    await m.query(
      `UPDATE tasks SET next_fire_at = $2, claimed_until = NULL
        WHERE raising_org_path <@ $1::ltree AND state IN ('assigned', 'in_progress') AND due_at IS NOT NULL
          AND withdrawn_at IS NULL`,
      [orgPath, at],
    );
  }

  /**
   * A calendar change: every timer pending after `now` moves to `replanAt`, where the ladder
   * plans it again on the new calendar; with `orgId`, only those of that org's subtree.
   */
  async replanPendingTimers(
    m: EntityManager,
    now: Date,
    replanAt: Date,
    orgId?: string,
  ): Promise<void> {
    if (orgId === undefined) {
      await m.query(`UPDATE tasks SET next_fire_at = $2 WHERE next_fire_at > $1`, [now, replanAt]);
    } else {
      await m.query(
        `UPDATE tasks SET next_fire_at = $2
          WHERE next_fire_at > $1 AND responsible_org_path <@ (SELECT path FROM orgs WHERE id = $3)`,
        [now, replanAt, orgId],
      );
    }
  }

  /**
   * 季度提醒: the open tasks of the orgs in a time zone, grouped by responsible person, through a
   * cursor on the transaction of `m`.
   */
  openQuarterStartCursor(m: EntityManager, timeZone: string): Promise<ChunkCursor<PersonTasks>> {
    return openCursor<PersonTasksRow, PersonTasks>(
      m,
      'quarter_start',
      `SELECT t.responsible_user_id AS user_id,
              json_agg(json_build_object('id', t.id, 'measure', t.measure, 'dueAt', t.due_at)
                       ORDER BY t.due_at NULLS LAST, t.id) AS tasks
         FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id
        WHERE ro.time_zone = $1 AND t.state IN ('assigned', 'in_progress') AND t.withdrawn_at IS NULL
        GROUP BY t.responsible_user_id`,
      [timeZone],
      toPersonTasks,
    );
  }

  /**
   * 季度报告逾期: open tasks of the zone created before the quarter began and without progress
   * reported since, set-based. Turns them yellow; returns how many.
   */
  async markQuarterlyReportLate(
    m: EntityManager,
    timeZone: string,
    quarterStart: Date,
  ): Promise<number> {
    const [, affected] = (await m.query(
      `UPDATE tasks t SET quarterly_report_late = true FROM orgs ro WHERE ${TasksRepository.QUARTER_LATE}`,
      [timeZone, quarterStart],
    )) as [unknown, number];
    return affected;
  }

  /** The owner and the leader of each late task (as markQuarterlyReportLate), with all of theirs. */
  openQuarterLateCursor(
    m: EntityManager,
    timeZone: string,
    quarterStart: Date,
  ): Promise<ChunkCursor<PersonTasks>> {
    return openCursor<PersonTasksRow, PersonTasks>(
      m,
      'quarter_late',
      `SELECT person AS user_id,
              json_agg(json_build_object('id', t.id, 'measure', t.measure, 'dueAt', t.due_at)
                       ORDER BY t.due_at NULLS LAST, t.id) AS tasks
         FROM tasks t JOIN orgs ro ON ${TasksRepository.QUARTER_LATE},
              LATERAL (SELECT DISTINCT p FROM unnest(ARRAY[t.responsible_user_id, t.leader_user_id]) p
                        WHERE p IS NOT NULL) AS people(person)
        GROUP BY person`,
      [timeZone, quarterStart],
      toPersonTasks,
    );
  }
}
