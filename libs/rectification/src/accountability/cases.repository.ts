import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { type Actor, offsetOf, type PageRequest } from '#duban/domain';
import { returning, scopeCondition, scopeParams } from '#duban/persistence';
import type { CaseOutcome } from './accountability.service';

/** An accountability_cases row with what its views show of its task, problem and subject org. */
export interface CaseRow {
  id: string;
  task_id: string | null;
  measure: string;
  problem_id: string | null;
  problem_title: string;
  raising_org_id: string;
  raising_org_path: string;
  subject_org_id: string;
  subject_org_path: string;
  subject_org_name: string;
  subject_user_ids: string[];
  opened_at: Date;
  state: 'open' | 'decided';
  outcome: CaseOutcome | null;
  reason: string | null;
  decided_by: string | null;
  decided_at: Date | null;
}

/** A reminder or step of the ladder that led to a case (task_effects, read only here). */
export interface CaseEscalationRow {
  effect_key: string;
  kind: string;
  level: number | null;
  name: string | null;
  fired_at: Date;
  notified: string[];
}

/**
 * A case to open, once: by the ladder's last step (its task and the step's effect key), or by
 * the five-in-one loop (no task; the source key, with a summary standing in for the measure).
 */
export interface NewCase {
  /** Chosen by the caller; the case is known by it only if this call opened it. */
  id: string;
  /** The measure whose ladder opened it; null for a case opened by the loop. */
  taskId: string | null;
  /** Unique per task (the ladder step's effect key), or among task-less cases (the source key). */
  key: string;
  raisingOrg: { id: string; path: string };
  subjectOrg: { id: string; path: string };
  subjectUserIds: readonly string[];
  /** What opened a task-less case (required then); null for a case of a task. */
  sourceSummary: string | null;
}

// A case opened by the five-in-one loop (a 差 grade, an unfulfilled commitment) has no task:
// its source_summary stands in for the measure and the problem.
const CASE_SELECT = `SELECT c.*, c.raising_org_path::text AS raising_org_path,
    c.subject_org_path::text AS subject_org_path,
    coalesce(t.measure, c.source_summary) AS measure, t.problem_id,
    coalesce(p.title, c.source_summary) AS problem_title, so.name AS subject_org_name
  FROM accountability_cases c LEFT JOIN tasks t ON t.id = c.task_id
  LEFT JOIN problems p ON p.id = t.problem_id
  JOIN orgs so ON so.id = c.subject_org_id`;

/**
 * The only writer of `accountability_cases`: opening (by the ladder, by the five-in-one loop),
 * deciding and reading cases. Services pass their transaction's EntityManager explicitly.
 */
@Injectable()
export class CasesRepository {
  // ── decisions and reads (AccountabilityService) ──

  /** One page of the cases whose subject org lies in the actor's scope, open ones first. */
  async list(
    m: EntityManager,
    actor: Actor,
    filter: { state?: 'open' | 'decided'; orgId?: string },
    page: PageRequest,
  ): Promise<{ rows: CaseRow[]; total: number }> {
    const params: unknown[] = [...scopeParams(actor)];
    const where = [scopeCondition('c.subject_org_path', '$1', '$2')];
    if (filter.state) {
      params.push(filter.state);
      where.push(`c.state = $${params.length}`);
    }
    if (filter.orgId) {
      params.push(filter.orgId);
      where.push(`c.subject_org_path <@ (SELECT path FROM orgs WHERE id = $${params.length})`);
    }
    const sql = where.join(' AND ');
    const rows: CaseRow[] = await m.query(
      `${CASE_SELECT} WHERE ${sql} ORDER BY c.state = 'decided', c.opened_at DESC, c.id
        LIMIT ${page.pageSize} OFFSET ${offsetOf(page)}`,
      params,
    );
    const count: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM accountability_cases c WHERE ${sql}`,
      params,
    );
    return { rows, total: count[0].n };
  }

  /** A case whose subject org lies in the actor's scope. */
  async findInScope(m: EntityManager, actor: Actor, id: string): Promise<CaseRow | null> {
    const rows: CaseRow[] = await m.query(
      `${CASE_SELECT} WHERE c.id = $3 AND ${scopeCondition('c.subject_org_path', '$1', '$2')}`,
      [...scopeParams(actor), id],
    );
    return rows[0] ?? null;
  }

  /** The ladder that led to a case: every reminder and step applied to its task, oldest first. */
  async escalationsOf(m: EntityManager, taskId: string | null): Promise<CaseEscalationRow[]> {
    return m.query(
      `SELECT effect_key, kind, level, name, fired_at, notified FROM task_effects
          WHERE task_id = $1 AND NOT superseded ORDER BY fired_at, id`,
      [taskId],
    );
  }

  /** Decides an open case, once; false when it was decided already (a decision is final). */
  async decide(
    m: EntityManager,
    id: string,
    d: { outcome: CaseOutcome; reason: string; by: string; at: Date },
  ): Promise<boolean> {
    const updated = await returning(
      m,
      `UPDATE accountability_cases SET state = 'decided', outcome = $2, reason = $3, decided_by = $4, decided_at = $5
        WHERE id = $1 AND state = 'open' RETURNING id`,
      [id, d.outcome, d.reason, d.by, d.at],
    );
    return updated.length > 0;
  }

  // ── opening: the ladder's last step, the five-in-one loop ──

  /**
   * Opens each case exactly once for its subject and source, whoever asks and however often:
   * the keys are unique in PostgreSQL ((task_id, effect_key) for a task's case, effect_key among
   * task-less ones), so a retried job or a second request opens nothing. One statement for any
   * number of cases. Returns the ids of the cases this call opened, in input order.
   */
  async openOnce(m: EntityManager, cases: readonly NewCase[], openedAt: Date): Promise<string[]> {
    if (cases.length === 0) return [];
    const opened: { id: string }[] = await m.query(
      `INSERT INTO accountability_cases (id, task_id, effect_key, raising_org_id, raising_org_path,
          subject_org_id, subject_org_path, subject_user_ids, opened_at, state, source_summary)
       SELECT id, task_id, effect_key, raising_org_id, raising_org_path::ltree, subject_org_id,
              subject_org_path::ltree, string_to_array(subjects, ',')::uuid[], $10, 'open', source_summary
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::uuid[], $7::text[],
                     $8::text[], $9::text[])
           AS x(id, task_id, effect_key, raising_org_id, raising_org_path, subject_org_id,
                subject_org_path, subjects, source_summary)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        cases.map((c) => c.id),
        cases.map((c) => c.taskId),
        cases.map((c) => c.key),
        cases.map((c) => c.raisingOrg.id),
        cases.map((c) => c.raisingOrg.path),
        cases.map((c) => c.subjectOrg.id),
        cases.map((c) => c.subjectOrg.path),
        cases.map((c) => c.subjectUserIds.join(',')),
        cases.map((c) => c.sourceSummary),
        openedAt,
      ],
    );
    const ids = new Set(opened.map((o) => o.id));
    return cases.filter((c) => ids.has(c.id)).map((c) => c.id);
  }
}
