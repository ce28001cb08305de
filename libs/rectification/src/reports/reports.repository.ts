import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Actor, LIGHTS, type Quarter, TASK_STATES, type TaskState } from '#duban/domain';
import { scopeCondition, scopeParams } from '#duban/persistence';
import { lightSql } from '../tasks/task-record';
import { closedOnTime, dueInPeriod, openInPeriod } from './on-time';

/* The on-time rule lives in ./on-time (shared with the annual assessment). */
const dueInQuarter = dueInPeriod;
const openInQuarter = openInPeriod;

/** How many units the circular lists as worst on time. */
export const WORST_ON_TIME_LIMIT = 10;

/** The org a report is about (its scope checked by the caller) and the period. */
export interface ReportFrame {
  org: { id: string; path: string; level: number };
  quarter: Quarter;
  now: Date;
}

/** One bucket of the summary: the org itself (`own`) or one child with its subtree. */
export interface TallyRow {
  org_id: string;
  org_name: string;
  own: boolean;
  total: number | null;
  assigned: number | null;
  in_progress: number | null;
  submitted: number | null;
  verified: number | null;
  closed: number | null;
  red: number | null;
  yellow: number | null;
  blue: number | null;
  green: number | null;
  due: number | null;
  on_time: number | null;
  overdue: number | null;
  levels: number[] | null;
  recurring: number | null;
}

export interface CircularRow {
  task_id: string;
  problem_id: string;
  title: string;
  measure: string;
  org_id: string;
  org_name: string;
  due_at: Date | null;
  due_date: string | null;
  level: number;
  level_name: string | null;
  reached_at: Date | null;
  state: TaskState;
  closed_at: Date | null;
  responsible_user_id: string;
  responsible_name: string;
  leader_user_id: string | null;
  leader_name: string | null;
}

export interface OnTimeRow {
  org_id: string;
  org_name: string;
  due: number;
  on_time: number;
}

/**
 * The quarterly reports' statements (read only): the summary's tallies and the circulated
 * notice's entries, each scoped to the caller's subtree in the query.
 */
@Injectable()
export class ReportsRepository {
  /**
   * One statement: every measure of the subtree is put in the bucket of the child org it lies
   * under (subpath of its path to one level below the org), or of the org itself. The org's own
   * row comes first, then its children by name.
   */
  async tallies(m: EntityManager, actor: Actor, f: ReportFrame): Promise<TallyRow[]> {
    const { org, quarter, now } = f;
    const bucket = (path: string) => `subpath(${path}, 0, least(nlevel(${path}), $7 + 1))`;
    return m.query(
      `WITH esc AS (
         SELECT e.task_id, max(e.level) AS level FROM task_effects e
          WHERE e.kind = 'step' AND NOT e.superseded AND e.fired_at BETWEEN $4 AND $5
          GROUP BY e.task_id
       ), tally AS (
         SELECT ${bucket('t.responsible_org_path')} AS bucket,
                count(*)::int AS total,
                ${TASK_STATES.map((s) => `count(*) FILTER (WHERE t.state = '${s}')::int AS ${s}`).join(', ')},
                ${LIGHTS.map((l) => `count(*) FILTER (WHERE ${lightSql('$3::timestamptz')} = '${l}')::int AS ${l}`).join(', ')},
                count(*) FILTER (WHERE ${dueInQuarter('$4', '$5', '$3')})::int AS due,
                count(*) FILTER (WHERE ${dueInQuarter('$4', '$5', '$3')} AND ${closedOnTime})::int AS on_time,
                count(*) FILTER (WHERE ${lightSql('$3::timestamptz')} = 'red')::int AS overdue,
                array_agg(esc.level) FILTER (WHERE esc.level IS NOT NULL) AS levels
           FROM tasks t LEFT JOIN esc ON esc.task_id = t.id
          WHERE ${scopeCondition('t.responsible_org_path', '$1', '$2')}
            AND t.responsible_org_path <@ $6::ltree AND ${openInQuarter('$4', '$5')}
          GROUP BY 1
       ), recurring AS (
         SELECT ${bucket('p.org_path')} AS bucket, count(*)::int AS recurring
           FROM problems p
          WHERE ${scopeCondition('p.org_path', '$1', '$2')}
            AND p.org_path <@ $6::ltree AND cardinality(p.recurrence_of) > 0
            AND p.created_at BETWEEN $4 AND $5
          GROUP BY 1
       )
       SELECT o.id AS org_id, o.name AS org_name, o.id = $8 AS own, tally.*, recurring.recurring
         FROM orgs o
         LEFT JOIN tally ON tally.bucket = o.path
         LEFT JOIN recurring ON recurring.bucket = o.path
        WHERE o.id = $8 OR o.parent_id = $8
        ORDER BY own DESC, o.name`,
      [...scopeParams(actor), now, quarter.start, quarter.end, org.path, org.level, org.id],
    );
  }

  /**
   * Escalation steps fired in the quarter that reached nobody for some audience, and measures
   * whose 约谈 (made due by the 通报 step) is overdue now, in the subtree.
   */
  async pressure(
    m: EntityManager,
    actor: Actor,
    f: ReportFrame,
  ): Promise<{ unreached: number; overdueTalks: number }> {
    const { org, quarter, now } = f;
    const [pressure]: { unreached: number; overdue_talks: number }[] = await m.query(
      `SELECT
         (SELECT count(*)::int FROM task_effects e JOIN tasks t ON t.id = e.task_id
           WHERE ${scopeCondition('t.responsible_org_path', '$1', '$2')}
             AND t.responsible_org_path <@ $6::ltree AND e.kind = 'step' AND NOT e.superseded
             AND cardinality(e.unreached) > 0 AND e.fired_at BETWEEN $4 AND $5) AS unreached,
         (SELECT count(DISTINCT t.id)::int FROM task_effects e JOIN tasks t ON t.id = e.task_id
           WHERE ${scopeCondition('t.responsible_org_path', '$1', '$2')}
             AND t.responsible_org_path <@ $6::ltree AND e.talk_due_by < $3
             AND NOT EXISTS (SELECT 1 FROM task_effects later WHERE later.task_id = e.task_id
                              AND later.talk_due_by > e.talk_due_by)
             AND NOT EXISTS (SELECT 1 FROM task_talks k WHERE k.task_id = e.task_id
                              AND k.recorded_at >= e.fired_at)) AS overdue_talks`,
      [...scopeParams(actor), now, quarter.start, quarter.end, org.path],
    );
    return { unreached: pressure.unreached, overdueTalks: pressure.overdue_talks };
  }

  /** Measures of the subtree that reached `fromLevel` (通报) in the quarter, highest first. */
  async circularEntries(
    m: EntityManager,
    actor: Actor,
    f: ReportFrame,
    fromLevel: number,
  ): Promise<CircularRow[]> {
    const { org, quarter } = f;
    const scope = scopeCondition('t.responsible_org_path', '$1', '$2');
    return m.query(
      `WITH reached AS (
         SELECT e.task_id, max(e.level) AS level,
                min(e.fired_at) FILTER (WHERE e.level >= $6) AS reached_at
           FROM task_effects e
          WHERE e.kind = 'step' AND NOT e.superseded AND e.fired_at BETWEEN $3 AND $4
          GROUP BY e.task_id
         HAVING max(e.level) >= $6
         UNION ALL
         -- Flagged without the ladder's record of when (set by hand or by another system):
         -- named in every quarter the measure was open.
         SELECT t.id, greatest(t.escalation_level, $6), NULL
           FROM tasks t
          WHERE (t.circulated OR t.escalation_level >= $6) AND ${openInQuarter('$3', '$4')}
            AND t.responsible_org_path <@ $5::ltree
            AND NOT EXISTS (SELECT 1 FROM task_effects x
                             WHERE x.task_id = t.id AND x.kind = 'step' AND x.level >= $6)
       )
       SELECT t.id AS task_id, t.problem_id, p.title, t.measure, t.responsible_org_id AS org_id,
              ro.name AS org_name, t.due_at,
              to_char(t.due_at AT TIME ZONE ro.time_zone, 'YYYY-MM-DD') AS due_date,
              r.level, (SELECT e.name FROM task_effects e
                         WHERE e.task_id = t.id AND e.kind = 'step' AND e.level = r.level
                         ORDER BY e.fired_at DESC LIMIT 1) AS level_name,
              r.reached_at, t.state, t.closed_at,
              t.responsible_user_id, ru.display_name AS responsible_name,
              t.leader_user_id, lu.display_name AS leader_name
         FROM reached r
         JOIN tasks t ON t.id = r.task_id
         JOIN problems p ON p.id = t.problem_id
         JOIN orgs ro ON ro.id = t.responsible_org_id
         JOIN users ru ON ru.id = t.responsible_user_id
         LEFT JOIN users lu ON lu.id = t.leader_user_id
        WHERE ${scope} AND t.responsible_org_path <@ $5::ltree
        ORDER BY r.level DESC, ro.name, t.due_at NULLS LAST, t.id`,
      [...scopeParams(actor), quarter.start, quarter.end, org.path, fromLevel],
    );
  }

  /** Responsible units with the lowest on-time rate in the quarter (at least one deadline missed). */
  async worstOnTime(m: EntityManager, actor: Actor, f: ReportFrame): Promise<OnTimeRow[]> {
    const { org, quarter, now } = f;
    const scope = scopeCondition('t.responsible_org_path', '$1', '$2');
    const params = [...scopeParams(actor), now, quarter.start, quarter.end, org.path];
    return m.query(
      `SELECT t.responsible_org_id AS org_id, ro.name AS org_name, count(*)::int AS due,
              count(*) FILTER (WHERE ${closedOnTime})::int AS on_time
         FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id
        WHERE ${scope} AND t.responsible_org_path <@ $6::ltree AND ${dueInQuarter('$4', '$5', '$3')}
        GROUP BY 1, 2
       HAVING count(*) FILTER (WHERE ${closedOnTime}) < count(*)
        ORDER BY count(*) FILTER (WHERE ${closedOnTime})::float / count(*),
                 count(*) - count(*) FILTER (WHERE ${closedOnTime}) DESC, ro.name
        LIMIT ${WORST_ON_TIME_LIMIT}`,
      params,
    );
  }
}
