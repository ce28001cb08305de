import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  type Actor,
  offsetOf,
  type OrgRef,
  type PageRequest,
  problemIsClosed,
  type ProblemSeverity,
} from '#duban/domain';
import { containsPattern, pathToIds, scopeCondition, scopeParams } from '#duban/persistence';
import type { ProblemSource } from '../catalog/catalog';

/** 屡改屡犯: an earlier problem of the same org and category closed within this window. */
const RECURRENCE_WINDOW = '12 months';

/** A problems row, with its org's name, as the views read it. */
export interface ProblemRow {
  id: string;
  title: string;
  description: string;
  category: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  campaign: string | null;
  campaign_id: string | null;
  org_id: string;
  org_name: string;
  raised_by_org_id: string;
  raised_by: string;
  recurrence_of: string[];
  task_count: number;
  open_task_count: number;
  created_at: Date;
  closed_at: Date | null;
  withdrawn_at?: Date | null;
  withdraw_reason?: string | null;
}

export interface ProblemFilter {
  orgId?: string;
  state?: 'open' | 'closed' | 'withdrawn';
  category?: string;
  severity?: ProblemSeverity;
  source?: ProblemSource;
  campaign?: string;
  overdue?: boolean;
  recurring?: boolean;
  q?: string;
}

/** A new problem's row (立项). */
export interface NewProblemRecord {
  id: string;
  title: string;
  description: string;
  category: string;
  severity: ProblemSeverity;
  source: ProblemSource;
  campaign: string | null;
  campaignId: string | null;
  org: { id: string; path: string };
  raisedByOrgId: string;
  raisedBy: string;
  recurrenceOf: readonly string[];
  at: Date;
}

/** A problem locked for an edit or a withdrawal. */
export interface ProblemRecord {
  id: string;
  title: string;
  description: string;
  org: OrgRef;
  raisingOrg: OrgRef;
  withdrawn: boolean;
  closed: boolean;
}

/**
 * A problem is visible to whoever can see its org, and to whoever can see one of its tasks
 * (a branch responsible for a measure sees the problem it belongs to).
 */
const PROBLEM_SCOPE = `(${scopeCondition('p.org_path', '$1', '$2')} OR EXISTS (
  SELECT 1 FROM tasks st WHERE st.problem_id = p.id AND ${scopeCondition('st.responsible_org_path', '$1', '$2')}))`;

/**
 * The only writer of `problems`: raising, the counts of its measures, edits, withdrawal and
 * recurrence. Services pass their transaction's EntityManager explicitly.
 */
@Injectable()
export class ProblemsRepository {
  // ── reads ──

  /** A problem the actor can see (through its org or one of its measures). */
  async findInScope(m: EntityManager, actor: Actor, id: string): Promise<ProblemRow | null> {
    const rows: ProblemRow[] = await m.query(
      `SELECT p.*, o.name AS org_name FROM problems p JOIN orgs o ON o.id = p.org_id
        WHERE p.id = $3 AND ${PROBLEM_SCOPE}`,
      [...scopeParams(actor), id],
    );
    return rows[0] ?? null;
  }

  /** A problem of the actor's subtree (its org), as a measure's assignment needs it. */
  async forAssignment(
    m: EntityManager,
    actor: Actor,
    id: string,
  ): Promise<{ id: string; raisedByOrgId: string; category: string } | null> {
    const rows: { id: string; raised_by_org_id: string; category: string }[] = await m.query(
      `SELECT p.id, p.raised_by_org_id, p.category FROM problems p
        WHERE p.id = $1 AND ${scopeCondition('p.org_path', '$2', '$3')}`,
      [id, ...scopeParams(actor)],
    );
    const r = rows[0];
    return r ? { id: r.id, raisedByOrgId: r.raised_by_org_id, category: r.category } : null;
  }

  async list(
    m: EntityManager,
    actor: Actor,
    filter: ProblemFilter,
    page: PageRequest,
    now: Date,
  ): Promise<{ rows: ProblemRow[]; total: number }> {
    const params: unknown[] = [...scopeParams(actor)];
    const where = [PROBLEM_SCOPE];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.orgId)
      add((p) => `p.org_path <@ (SELECT path FROM orgs WHERE id = ${p})`, filter.orgId);
    if (filter.state === 'open') where.push(`(p.closed_at IS NULL AND p.withdrawn_at IS NULL)`);
    if (filter.state === 'withdrawn') where.push(`(p.withdrawn_at IS NOT NULL)`);
    if (filter.state === 'closed') where.push(`(p.closed_at IS NOT NULL)`);
    if (filter.category) add((p) => `p.category = ${p}`, filter.category);
    if (filter.severity) add((p) => `p.severity = ${p}`, filter.severity);
    if (filter.source) add((p) => `p.source = ${p}`, filter.source);
    if (filter.campaign) add((p) => `p.campaign = ${p}`, filter.campaign);
    if (filter.recurring !== undefined) {
      where.push(
        filter.recurring ? `cardinality(p.recurrence_of) > 0` : `cardinality(p.recurrence_of) = 0`,
      );
    }
    if (filter.q)
      add((p) => `(p.title || ' ' || p.description) ILIKE ${p}`, containsPattern(filter.q));
    if (filter.overdue !== undefined) {
      add(
        (p) =>
          `${filter.overdue ? '' : 'NOT '}EXISTS (SELECT 1 FROM tasks ot WHERE ot.problem_id = p.id
             AND ot.state NOT IN ('verified', 'closed') AND ot.withdrawn_at IS NULL
             AND ot.due_at < ${p})`,
        now,
      );
    }
    const whereSql = where.join(' AND ');
    const [rows, count] = await Promise.all([
      m.query(
        `SELECT p.*, o.name AS org_name FROM problems p JOIN orgs o ON o.id = p.org_id
          WHERE ${whereSql}
          ORDER BY p.closed_at IS NOT NULL, p.created_at DESC, p.id
          LIMIT ${page.pageSize} OFFSET ${offsetOf(page)}`,
        params,
      ) as Promise<ProblemRow[]>,
      m.query(`SELECT count(*)::int AS n FROM problems p WHERE ${whereSql}`, params) as Promise<
        { n: number }[]
      >,
    ]);
    return { rows, total: count[0].n };
  }

  /** 屡改屡犯: the org's problems of a category closed within the window before `now`, newest first. */
  async recentlyClosed(
    m: EntityManager,
    orgId: string,
    category: string,
    now: Date,
  ): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM problems
        WHERE org_id = $1 AND category = $2 AND closed_at IS NOT NULL
          AND closed_at >= $3::timestamptz - interval '${RECURRENCE_WINDOW}'
        ORDER BY closed_at DESC`,
      [orgId, category, now],
    );
    return rows.map((r) => r.id);
  }

  // ── writes ──

  /** 立项 */
  async insert(m: EntityManager, p: NewProblemRecord): Promise<void> {
    await m.query(
      `INSERT INTO problems (id, title, description, category, severity, source, campaign, org_id,
          org_path, raised_by_org_id, raised_by, recurrence_of, created_at, campaign_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::ltree, $10, $11, $12, $13, $14)`,
      [
        p.id,
        p.title,
        p.description,
        p.category,
        p.severity,
        p.source,
        p.campaign,
        p.org.id,
        p.org.path,
        p.raisedByOrgId,
        p.raisedBy,
        [...p.recurrenceOf],
        p.at,
        p.campaignId,
      ],
    );
  }

  /** A new measure of the problem: one more, open, so the problem is open again. */
  async addMeasure(m: EntityManager, problemId: string): Promise<void> {
    await m.query(
      `UPDATE problems SET task_count = task_count + 1, open_task_count = open_task_count + 1,
              closed_at = NULL WHERE id = $1`,
      [problemId],
    );
  }

  /**
   * Its open measures move by `delta` (a closure −1, a reopening +1): the problem closes with its
   * last open measure (problemAfterMeasures in libs/domain), applied here atomically with the
   * count, so two measures closing at once cannot both miss the last one.
   */
  async moveOpenMeasures(
    m: EntityManager,
    problemId: string,
    delta: number,
    now: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE problems SET open_task_count = open_task_count + $2,
              closed_at = CASE WHEN open_task_count + $2 = 0 THEN $3::timestamptz ELSE NULL END
        WHERE id = $1`,
      [problemId, delta, now],
    );
  }

  /** A problem within the actor's scope (its org), locked for a change; null otherwise. */
  async lockForChange(m: EntityManager, actor: Actor, id: string): Promise<ProblemRecord | null> {
    const rows: {
      id: string;
      title: string;
      description: string;
      org_id: string;
      org_path: string;
      raised_by_org_id: string;
      raising_path: string;
      withdrawn_at: Date | null;
      task_count: number;
      open_task_count: number;
    }[] = await m.query(
      `SELECT p.id, p.title, p.description, p.org_id, p.org_path::text AS org_path, p.raised_by_org_id,
              ro.path::text AS raising_path, p.withdrawn_at, p.task_count, p.open_task_count
         FROM problems p JOIN orgs ro ON ro.id = p.raised_by_org_id
        WHERE p.id = $1 AND ${scopeCondition('p.org_path', '$2', '$3')}
        FOR UPDATE OF p`,
      [id, ...scopeParams(actor)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      org: { id: r.org_id, path: pathToIds(r.org_path) },
      raisingOrg: { id: r.raised_by_org_id, path: pathToIds(r.raising_path) },
      withdrawn: r.withdrawn_at !== null,
      closed: problemIsClosed({ taskCount: r.task_count, openTaskCount: r.open_task_count }),
    };
  }

  async updateText(
    m: EntityManager,
    id: string,
    change: { title?: string; description?: string },
  ): Promise<void> {
    await m.query(
      `UPDATE problems SET title = coalesce($2, title), description = coalesce($3, description)
        WHERE id = $1`,
      [id, change.title ?? null, change.description ?? null],
    );
  }

  /** 撤回: stamps the problem; its measures are stamped by TasksRepository. */
  async withdraw(
    m: EntityManager,
    id: string,
    w: { by: string; at: Date; reason: string },
  ): Promise<void> {
    await m.query(
      `UPDATE problems SET withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4 WHERE id = $1`,
      [id, w.at, w.by, w.reason],
    );
  }

  /** 回头看 found it back: the problem of the task counts as a recurrence (of itself). */
  async countRecurrenceOfTask(m: EntityManager, taskId: string): Promise<void> {
    await m.query(
      `UPDATE problems p SET recurrence_of = array_append(p.recurrence_of, p.id)
         FROM tasks t WHERE t.id = $1 AND p.id = t.problem_id`,
      [taskId],
    );
  }
}
