import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, Light, ProblemSeverity, TaskMode, TaskState } from '#duban/domain';
import { openCursor, scopeCondition } from '#duban/persistence';
import type { ProblemSource } from '../catalog/catalog';
import { listedSql } from '../negative-list/negative-list.repository';
import { lightSql, type TaskFilter, taskConditions } from '../tasks/task-record';

/** Rows fetched from the cursor at a time: enough to keep the pipe busy, little to hold. */
export const LEDGER_BATCH = 2000;

/** A ledger statement with its parameters, checked and ready to run (see LedgerRepository.select). */
export interface LedgerSelection {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** One measure of the ledger (台账) as the statement gives it. */
export interface LedgerRow {
  title: string;
  description: string;
  category: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  campaign: string | null;
  org_name: string;
  raising_org_name: string;
  measure: string;
  mode: TaskMode;
  responsible_org_name: string;
  responsible_name: string;
  leader_name: string | null;
  due_date: string | null;
  due_time: string | null;
  state: TaskState;
  light: Light;
  escalation_level: number;
  escalation_name: string | null;
  closed_on: string | null;
  negative_listed: boolean;
}

/** The ledger's statement and its cursor (read only). */
@Injectable()
export class LedgerRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The ledger's statement for this filter, one row per measure in the actor's scope, problems
   * in the order they were raised. Checks the filter now, before anything is streamed.
   */
  select(actor: Actor, filter: TaskFilter, now: Date): LedgerSelection {
    const conditions = taskConditions(actor, filter, now);
    const { where, params } = conditions;
    const nowSql = conditions.nowSql();
    // Names that several orgs in the caller's scope carry (第一支部 under two general branches)
    // are written with their parent, "第一党总支/第一支部", so that the import — which resolves
    // names in the raising org's subtree — can tell them apart, whatever orgId was exported.
    const orgsInScope = scopeCondition('d.path', '$1', '$2');
    const qualified = (o: string) =>
      `CASE WHEN ${o}_dup.name IS NULL OR ${o}_parent.name IS NULL THEN ${o}.name
            ELSE ${o}_parent.name || '/' || ${o}.name END`;
    const sql = `
      WITH dup AS (SELECT d.name FROM orgs d WHERE ${orgsInScope} GROUP BY d.name HAVING count(*) > 1)
      SELECT p.title, p.description, p.category, p.severity, p.source, p.campaign,
             ${qualified('po')} AS org_name, rg.name AS raising_org_name,
             t.measure, t.mode, ${qualified('ro')} AS responsible_org_name,
             ru.display_name AS responsible_name, lu.display_name AS leader_name,
             to_char(t.due_at AT TIME ZONE ro.time_zone, 'YYYY-MM-DD') AS due_date,
             to_char(t.due_at AT TIME ZONE ro.time_zone, 'HH24:MI:SS.MS') AS due_time,
             t.state, ${lightSql(nowSql)} AS light, t.escalation_level,
             CASE WHEN t.escalation_level > 0 THEN (
               SELECT e.name FROM task_effects e
                WHERE e.task_id = t.id AND e.kind = 'step' AND e.level = t.escalation_level
                ORDER BY e.fired_at DESC LIMIT 1) END AS escalation_name,
             to_char(t.closed_at AT TIME ZONE ro.time_zone, 'YYYY-MM-DD') AS closed_on,
             EXISTS (SELECT 1 FROM negative_list_entries e
                      WHERE e.subject_type = 'org' AND e.subject_id = t.responsible_org_id
                        AND ${listedSql(nowSql)}) AS negative_listed
        FROM tasks t
        JOIN problems p ON p.id = t.problem_id
        JOIN orgs ro ON ro.id = t.responsible_org_id
        LEFT JOIN dup ro_dup ON ro_dup.name = ro.name
        LEFT JOIN orgs ro_parent ON ro_parent.id = ro.parent_id
        JOIN orgs po ON po.id = p.org_id
        LEFT JOIN dup po_dup ON po_dup.name = po.name
        LEFT JOIN orgs po_parent ON po_parent.id = po.parent_id
        JOIN orgs rg ON rg.id = p.raised_by_org_id
        JOIN users ru ON ru.id = t.responsible_user_id
        LEFT JOIN users lu ON lu.id = t.leader_user_id
       WHERE ${where}
       ORDER BY p.created_at, p.id, t.created_at, t.id`;
    return { sql, params };
  }

  /**
   * Runs the selection behind a cursor in a read-only REPEATABLE READ transaction of its own
   * (one consistent snapshot, one sort, never all rows in memory) and hands each batch of
   * LEDGER_BATCH rows to `onBatch`; false from it stops early.
   */
  async eachBatch(
    { sql, params }: LedgerSelection,
    onBatch: (rows: LedgerRow[]) => Promise<boolean>,
  ): Promise<void> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const cursor = await openCursor<LedgerRow>(runner.manager, 'ledger_rows', sql, [...params]);
      for (;;) {
        const rows = await cursor.fetch(LEDGER_BATCH);
        if (rows.length > 0 && !(await onBatch(rows))) break;
        if (rows.length < LEDGER_BATCH) break;
      }
      await runner.query('COMMIT');
    } catch (e) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }
}
