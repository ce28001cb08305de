import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AssessmentGrade, AssessmentScheme, IndicatorSource } from '#duban/domain';
import { returning } from '#duban/persistence';
import { closedOnTime, dueInPeriod, openInPeriod } from '../reports/on-time';

/** Whole days a measure due in the period ran past its deadline ($3 period end, $4 now). */
const OVERDUE_DAYS = `ceil(extract(epoch FROM (least(coalesce(t.closed_at, $4::timestamptz), $3::timestamptz) - t.due_at)) / 86400)`;

export interface IndicatorValue {
  code: string;
  source: IndicatorSource;
  value: number | null;
  score: number;
}

export interface AssessmentRowRecord {
  orgId: string;
  orgName: string;
  orgPath: string;
  indicators: IndicatorValue[];
  total: number;
  grade: AssessmentGrade;
}

export interface AssessmentRecord {
  id: string;
  orgId: string;
  orgPath: string;
  year: number;
  scheme: AssessmentScheme;
  state: 'computed' | 'confirmed';
  computedAt: string;
  confirmedAt: string | null;
  rows: AssessmentRowRecord[];
  appeals: AppealRecord[];
}

export interface AppealRecord {
  id: string;
  orgId: string;
  reason: string;
  filedBy: string;
  filedAt: string;
  state: 'open' | 'upheld' | 'rejected';
  decisionReason: string | null;
  decidedAt: string | null;
}

/** One line of the list of assessments: counts over the rows the reader may see. */
export interface AssessmentSummary {
  id: string;
  orgId: string;
  orgName: string;
  year: number;
  state: 'computed' | 'confirmed';
  computedAt: string;
  confirmedAt: string | null;
  /** The visible rows (all of them for the committee, a branch's own otherwise). */
  rows: number;
  grades: Record<AssessmentGrade, number>;
}

export interface ChildOrg {
  id: string;
  name: string;
  path: string;
}

/** The rows counted by the measure-based indicators of one org subtree in a period. */
export interface Period {
  start: Date;
  end: Date;
  /** The instant of the computation: deadlines after it have not come yet. */
  now: Date;
}

/** Every SQL statement of the annual assessment (考核), and the queries behind each indicator. */
@Injectable()
export class AssessmentsRepository {
  async saveScheme(
    m: EntityManager,
    orgId: string,
    year: number,
    scheme: AssessmentScheme,
    by: string,
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO assessment_schemes (org_id, year, indicators, grades, updated_by, updated_at)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6)
       ON CONFLICT (org_id, year) DO UPDATE SET indicators = EXCLUDED.indicators,
         grades = EXCLUDED.grades, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [orgId, year, JSON.stringify(scheme.indicators), JSON.stringify(scheme.grades), by, now],
    );
  }

  async scheme(m: EntityManager, orgId: string, year: number): Promise<AssessmentScheme | null> {
    const rows: AssessmentScheme[] = await m.query(
      `SELECT indicators, grades FROM assessment_schemes WHERE org_id = $1 AND year = $2`,
      [orgId, year],
    );
    return rows[0] ?? null;
  }

  async saveManualValue(
    m: EntityManager,
    v: {
      schemeOrgId: string;
      year: number;
      orgId: string;
      code: string;
      value: number;
      reason: string;
      attachmentIds: string[];
      by: string;
      now: Date;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO assessment_manual_values (scheme_org_id, year, org_id, code, value, reason, attachment_ids, entered_by, entered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8, $9)
       ON CONFLICT (scheme_org_id, year, org_id, code) DO UPDATE SET value = EXCLUDED.value,
         reason = EXCLUDED.reason, attachment_ids = EXCLUDED.attachment_ids,
         entered_by = EXCLUDED.entered_by, entered_at = EXCLUDED.entered_at`,
      [v.schemeOrgId, v.year, v.orgId, v.code, v.value, v.reason, v.attachmentIds, v.by, v.now],
    );
  }

  async manualValues(
    m: EntityManager,
    schemeOrgId: string,
    year: number,
  ): Promise<Map<string, number>> {
    const rows: { org_id: string; code: string; value: string }[] = await m.query(
      `SELECT org_id, code, value FROM assessment_manual_values WHERE scheme_org_id = $1 AND year = $2`,
      [schemeOrgId, year],
    );
    return new Map(rows.map((r) => [`${r.org_id}:${r.code}`, Number(r.value)]));
  }

  async children(m: EntityManager, orgId: string): Promise<ChildOrg[]> {
    return m.query(
      `SELECT id, name, path::text AS path FROM orgs WHERE parent_id = $1 ORDER BY name, id`,
      [orgId],
    );
  }

  /**
   * Measures due in the period and closed on time, with the report's own rule (./on-time),
   * and overdue measure-days: for each measure due in the period, the whole days between its
   * deadline and its closure (or the period's end, or now, whichever comes first).
   */
  async measureFigures(
    m: EntityManager,
    paths: string[],
    p: Period,
  ): Promise<Map<string, { due: number; onTime: number; overdueDays: number }>> {
    const rows: { path: string; due: number; on_time: number; overdue_days: number }[] =
      await m.query(
        `SELECT x.path,
                count(t.id) FILTER (WHERE ${dueInPeriod('$2', '$3', '$4')} AND ${openInPeriod('$2', '$3')})::int AS due,
                count(t.id) FILTER (WHERE ${dueInPeriod('$2', '$3', '$4')} AND ${openInPeriod('$2', '$3')}
                                      AND ${closedOnTime})::int AS on_time,
                coalesce(sum(${OVERDUE_DAYS}) FILTER (WHERE ${OVERDUE_DAYS} > 0), 0)::int AS overdue_days
           FROM unnest($1::text[]) AS x(path)
           LEFT JOIN tasks t ON t.responsible_org_path <@ x.path::ltree AND t.due_at BETWEEN $2 AND $3
          GROUP BY x.path`,
        [paths, p.start, p.end, p.now],
      );
    return new Map(
      rows.map((r) => [r.path, { due: r.due, onTime: r.on_time, overdueDays: r.overdue_days }]),
    );
  }

  /**
   * Relapses: measures marked `relapse` by 回头看 when that column exists; otherwise closed
   * measures reopened (their `reopened` events) within the period.
   */
  async relapses(m: EntityManager, paths: string[], p: Period): Promise<Map<string, number>> {
    const hasRelapse: unknown[] = await m.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'relapse'`,
    );
    const rows: { path: string; n: number }[] = await m.query(
      hasRelapse.length > 0
        ? `SELECT x.path, count(t.id)::int AS n FROM unnest($1::text[]) AS x(path)
             LEFT JOIN tasks t ON t.responsible_org_path <@ x.path::ltree AND t.relapse
                               AND t.updated_at BETWEEN $2 AND $3
            GROUP BY x.path`
        : `SELECT x.path, count(e.id)::int AS n FROM unnest($1::text[]) AS x(path)
             LEFT JOIN tasks t ON t.responsible_org_path <@ x.path::ltree
             LEFT JOIN audit_events e ON e.stream_type = 'task' AND e.stream_id = t.id
                                      AND e.type = 'reopened' AND e.at BETWEEN $2 AND $3
            GROUP BY x.path`,
      [paths, p.start, p.end],
    );
    return new Map(rows.map((r) => [r.path, r.n]));
  }

  async casesOpened(m: EntityManager, paths: string[], p: Period): Promise<Map<string, number>> {
    const rows: { path: string; n: number }[] = await m.query(
      `SELECT x.path, count(c.id)::int AS n FROM unnest($1::text[]) AS x(path)
         LEFT JOIN accountability_cases c ON c.subject_org_path <@ x.path::ltree
                                          AND c.opened_at BETWEEN $2 AND $3
        GROUP BY x.path`,
      [paths, p.start, p.end],
    );
    return new Map(rows.map((r) => [r.path, r.n]));
  }

  /** The measures behind the on-time rate or the overdue days of one org subtree. */
  async measuresBehind(
    m: EntityManager,
    path: string,
    p: Period,
    source: 'on_time_rate' | 'overdue_days',
  ): Promise<
    {
      taskId: string;
      measure: string;
      dueAt: string;
      closedAt: string | null;
      onTime: boolean;
      overdueDays: number;
    }[]
  > {
    const filter =
      source === 'on_time_rate'
        ? `${dueInPeriod('$2', '$3', '$4')} AND ${openInPeriod('$2', '$3')}`
        : `${OVERDUE_DAYS} > 0`;
    const rows: {
      id: string;
      measure: string;
      due_at: Date;
      closed_at: Date | null;
      on_time: boolean;
      overdue_days: number;
    }[] = await m.query(
      `SELECT t.id, t.measure, t.due_at, t.closed_at, ${closedOnTime} AS on_time,
              greatest(${OVERDUE_DAYS}, 0)::int AS overdue_days
         FROM tasks t
        WHERE t.responsible_org_path <@ $1::ltree AND t.due_at BETWEEN $2 AND $3 AND ${filter}
        ORDER BY t.due_at, t.id`,
      [path, p.start, p.end, p.now],
    );
    return rows.map((r) => ({
      taskId: r.id,
      measure: r.measure,
      dueAt: r.due_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
      onTime: r.on_time,
      overdueDays: r.overdue_days,
    }));
  }

  async casesBehind(
    m: EntityManager,
    path: string,
    p: Period,
  ): Promise<
    { caseId: string; openedAt: string; summary: string | null; taskId: string | null }[]
  > {
    const rows: {
      id: string;
      opened_at: Date;
      source_summary: string | null;
      task_id: string | null;
    }[] = await m.query(
      `SELECT id, opened_at, source_summary, task_id FROM accountability_cases
          WHERE subject_org_path <@ $1::ltree AND opened_at BETWEEN $2 AND $3 ORDER BY opened_at, id`,
      [path, p.start, p.end],
    );
    return rows.map((r) => ({
      caseId: r.id,
      openedAt: r.opened_at.toISOString(),
      summary: r.source_summary,
      taskId: r.task_id,
    }));
  }

  async insert(
    m: EntityManager,
    a: {
      id: string;
      orgId: string;
      orgPath: string;
      year: number;
      scheme: AssessmentScheme;
      by: string;
      now: Date;
      rows: AssessmentRowRecord[];
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO assessments (id, org_id, org_path, year, scheme, state, computed_by, computed_at)
       VALUES ($1, $2, $3::ltree, $4, $5::jsonb, 'computed', $6, $7)`,
      [a.id, a.orgId, a.orgPath, a.year, JSON.stringify(a.scheme), a.by, a.now],
    );
    await m.query(
      `INSERT INTO assessment_rows (assessment_id, org_id, org_path, indicators, total, grade)
       SELECT $1, x.org_id, x.org_path::ltree, x.indicators, x.total, x.grade
         FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::numeric[], $6::text[])
           AS x(org_id, org_path, indicators, total, grade)`,
      [
        a.id,
        a.rows.map((r) => r.orgId),
        a.rows.map((r) => r.orgPath),
        a.rows.map((r) => JSON.stringify(r.indicators)),
        a.rows.map((r) => r.total),
        a.rows.map((r) => r.grade),
      ],
    );
  }

  /** One assessment; `rowsVisible` limits the rows to an SQL condition on `r` (scope). */
  async find(
    m: EntityManager,
    id: string,
    rowsVisible: { sql: string; params: unknown[] },
    lock = false,
  ): Promise<AssessmentRecord | null> {
    const found: {
      id: string;
      org_id: string;
      org_path: string;
      year: number;
      scheme: AssessmentScheme;
      state: 'computed' | 'confirmed';
      computed_at: Date;
      confirmed_at: Date | null;
    }[] = await m.query(
      `SELECT id, org_id, org_path::text AS org_path, year, scheme, state, computed_at, confirmed_at
         FROM assessments WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    if (found.length === 0) return null;
    const a = found[0];
    const rows: {
      org_id: string;
      org_name: string;
      org_path: string;
      indicators: IndicatorValue[];
      total: string;
      grade: AssessmentGrade;
    }[] = await m.query(
      `SELECT r.org_id, o.name AS org_name, r.org_path::text AS org_path, r.indicators, r.total, r.grade
         FROM assessment_rows r JOIN orgs o ON o.id = r.org_id
        WHERE r.assessment_id = $${rowsVisible.params.length + 1} AND ${rowsVisible.sql}
        ORDER BY o.name, r.org_id`,
      [...rowsVisible.params, id],
    );
    const appeals: {
      id: string;
      org_id: string;
      reason: string;
      filed_by: string;
      filed_at: Date;
      state: AppealRecord['state'];
      decision_reason: string | null;
      decided_at: Date | null;
    }[] = await m.query(
      `SELECT id, org_id, reason, filed_by, filed_at, state, decision_reason, decided_at
         FROM assessment_appeals WHERE assessment_id = $1 AND org_id = ANY($2::uuid[]) ORDER BY filed_at, id`,
      [id, rows.map((r) => r.org_id)],
    );
    return {
      id: a.id,
      orgId: a.org_id,
      orgPath: a.org_path,
      year: a.year,
      scheme: a.scheme,
      state: a.state,
      computedAt: a.computed_at.toISOString(),
      confirmedAt: a.confirmed_at?.toISOString() ?? null,
      rows: rows.map((r) => ({
        orgId: r.org_id,
        orgName: r.org_name,
        orgPath: r.org_path,
        indicators: r.indicators,
        total: Number(r.total),
        grade: r.grade,
      })),
      appeals: appeals.map((x) => ({
        id: x.id,
        orgId: x.org_id,
        reason: x.reason,
        filedBy: x.filed_by,
        filedAt: x.filed_at.toISOString(),
        state: x.state,
        decisionReason: x.decision_reason,
        decidedAt: x.decided_at?.toISOString() ?? null,
      })),
    };
  }

  /**
   * The assessments with at least one row the reader may see (`rowsVisible`, a condition on
   * `r`), newest year first; a committee's computations of a year newest first.
   */
  async list(
    m: EntityManager,
    filter: { year?: number; orgId?: string },
    rowsVisible: { sql: string; params: unknown[] },
  ): Promise<AssessmentSummary[]> {
    const params = [...rowsVisible.params];
    const where: string[] = [];
    if (filter.year) {
      params.push(filter.year);
      where.push(`a.year = $${params.length}`);
    }
    if (filter.orgId) {
      params.push(filter.orgId);
      where.push(`a.org_id = $${params.length}`);
    }
    const rows: {
      id: string;
      org_id: string;
      org_name: string;
      year: number;
      state: 'computed' | 'confirmed';
      computed_at: Date;
      confirmed_at: Date | null;
      rows: number;
      good: number;
      fairly_good: number;
      average: number;
      poor: number;
    }[] = await m.query(
      `SELECT a.id, a.org_id, o.name AS org_name, a.year, a.state, a.computed_at, a.confirmed_at,
              v.rows, v.good, v.fairly_good, v.average, v.poor
         FROM assessments a JOIN orgs o ON o.id = a.org_id
         CROSS JOIN LATERAL (
           SELECT count(*)::int AS rows,
                  count(*) FILTER (WHERE r.grade = 'good')::int AS good,
                  count(*) FILTER (WHERE r.grade = 'fairly_good')::int AS fairly_good,
                  count(*) FILTER (WHERE r.grade = 'average')::int AS average,
                  count(*) FILTER (WHERE r.grade = 'poor')::int AS poor
             FROM assessment_rows r WHERE r.assessment_id = a.id AND ${rowsVisible.sql}) v
        WHERE v.rows > 0 ${where.map((w) => `AND ${w}`).join(' ')}
        ORDER BY a.year DESC, o.name, a.computed_at DESC, a.id
        LIMIT 500`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: r.org_name,
      year: r.year,
      state: r.state,
      computedAt: r.computed_at.toISOString(),
      confirmedAt: r.confirmed_at?.toISOString() ?? null,
      rows: r.rows,
      grades: { good: r.good, fairly_good: r.fairly_good, average: r.average, poor: r.poor },
    }));
  }

  async confirm(m: EntityManager, id: string, by: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE assessments SET state = 'confirmed', confirmed_by = $2, confirmed_at = $3 WHERE id = $1`,
      [id, by, now],
    );
  }

  async insertAppeal(
    m: EntityManager,
    a: { id: string; assessmentId: string; orgId: string; reason: string; by: string; now: Date },
  ): Promise<void> {
    await m.query(
      `INSERT INTO assessment_appeals (id, assessment_id, org_id, reason, filed_by, filed_at, state)
       VALUES ($1, $2, $3, $4, $5, $6, 'open')`,
      [a.id, a.assessmentId, a.orgId, a.reason, a.by, a.now],
    );
  }

  async decideAppeal(
    m: EntityManager,
    d: {
      id: string;
      assessmentId: string;
      state: 'upheld' | 'rejected';
      reason: string;
      by: string;
      now: Date;
      grade: AssessmentGrade | null;
    },
  ): Promise<{ org_id: string } | null> {
    const rows = await returning<{ org_id: string }>(
      m,
      `UPDATE assessment_appeals SET state = $3, decision_reason = $4, decided_by = $5, decided_at = $6
        WHERE id = $1 AND assessment_id = $2 AND state = 'open' RETURNING org_id`,
      [d.id, d.assessmentId, d.state, d.reason, d.by, d.now],
    );
    const row = rows[0];
    if (!row) return null;
    if (d.grade) {
      await m.query(
        `UPDATE assessment_rows SET grade = $3 WHERE assessment_id = $1 AND org_id = $2`,
        [d.assessmentId, row.org_id, d.grade],
      );
    }
    return row;
  }
}
