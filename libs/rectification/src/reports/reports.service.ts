import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  Actor,
  CLOCK,
  type Clock,
  LIGHTS,
  type Light,
  type Quarter,
  quarterByLabel,
  quarterOf,
  TASK_STATES,
  type TaskState,
  invalid,
} from '#duban/domain';
import { scopeCondition, scopeParams } from '#duban/persistence';
import { CIRCULATED_FROM_LEVEL } from '../escalation/ladder.service';
import { lightSql } from '../tasks/task-record';
import { closedOnTime, dueInPeriod, onTimeRate, openInPeriod } from './on-time';
import { TasksService } from '../tasks/tasks.service';

/** The measures of one org (and its subtree) in one quarter. */
export interface OrgTally {
  orgId: string;
  orgName: string;
  /** Measures open at some time in the quarter: created by its end, not closed before it began. */
  total: number;
  /** Their states now. */
  byState: Record<TaskState, number>;
  /** Their lights now (三色预警). */
  byLight: Record<Light, number>;
  /** Measures due in the quarter whose deadline has come, or that were closed already. */
  dueInQuarter: number;
  /** Of those, closed (销号) on or before the deadline. */
  closedOnTime: number;
  /** closedOnTime / dueInQuarter, 0..1; null when nothing was due. */
  onTimeRate: number | null;
  /** Open measures past their deadline now (red). */
  overdue: number;
  /** Measures by the highest escalation step they reached within the quarter. */
  escalations: { level: number; tasks: number }[];
  /** Problems raised in the quarter that came back (屡改屡犯). */
  recurringProblems: number;
}

export interface QuarterSummary {
  orgId: string;
  orgName: string;
  quarter: string;
  /** The quarter's first and last instants in the org's time zone. */
  from: string;
  to: string;
  asOf: string;
  /** The whole subtree. */
  totals: OrgTally;
  /** Measures of the org itself (not of the orgs below it). */
  own: OrgTally;
  /** Each child org with its subtree, by name. */
  children: OrgTally[];
  /** Escalation steps fired in the quarter, in the subtree, that reached nobody for some audience. */
  unreachedSteps: number;
  /** Measures of the subtree whose 约谈 (made due by the 通报 step) is overdue now. */
  overdueTalks: number;
}

export interface CircularEntry {
  taskId: string;
  problemId: string;
  problemTitle: string;
  measure: string;
  orgId: string;
  orgName: string;
  dueAt: string | null;
  /** The deadline as a date in the responsible org's zone. */
  dueDate: string | null;
  /** The highest step reached in the quarter. */
  level: number;
  levelName: string | null;
  /** When the 通报 step fired; null when the task was flagged without the ladder's record. */
  reachedAt: string | null;
  state: TaskState;
  closedAt: string | null;
  responsibleUserId: string;
  responsibleName: string;
  leaderUserId: string | null;
  leaderName: string | null;
}

export interface OnTimeRanking {
  orgId: string;
  orgName: string;
  dueInQuarter: number;
  closedOnTime: number;
  missed: number;
  onTimeRate: number;
}

export interface QuarterCircular {
  orgId: string;
  orgName: string;
  quarter: string;
  from: string;
  to: string;
  asOf: string;
  /** The level from which a measure is named in the circulated notice (通报). */
  fromLevel: number;
  entries: CircularEntry[];
  /** Responsible units with the lowest on-time rate in the quarter (at least one deadline missed). */
  worstOnTime: OnTimeRanking[];
}

/** How many units the circular lists as worst on time. */
const WORST_ON_TIME_LIMIT = 10;

/* The on-time rule lives in ./on-time (shared with the annual assessment). */
const dueInQuarter = dueInPeriod;
const openInQuarter = openInPeriod;

interface TallyRow {
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

interface CircularRow {
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

const rate = onTimeRate;

/** The quarterly reports of a committee: the summary and the circulated notice (通报). */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tasks: TasksService,
  ) {}

  async summary(actor: Actor, orgId: string, quarterLabel?: string): Promise<QuarterSummary> {
    const { org, quarter, now } = await this.frame(actor, orgId, quarterLabel);
    // One statement: every measure of the subtree is put in the bucket of the child org it lies
    // under (subpath of its path to one level below the org), or of the org itself.
    const bucket = (path: string) => `subpath(${path}, 0, least(nlevel(${path}), $7 + 1))`;
    const rows: TallyRow[] = await this.db.query(
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
    const tallies = rows.map(toTally);
    const own = tallies.find((_, i) => rows[i].own)!;
    const [pressure]: { unreached: number; overdue_talks: number }[] = await this.db.query(
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
    return {
      orgId: org.id,
      orgName: org.name,
      quarter: quarter.label,
      from: quarter.start.toISOString(),
      to: quarter.end.toISOString(),
      asOf: now.toISOString(),
      totals: { ...sumTallies(tallies), orgId: org.id, orgName: org.name },
      own,
      children: tallies.filter((_, i) => !rows[i].own),
      unreachedSteps: pressure.unreached,
      overdueTalks: pressure.overdue_talks,
    };
  }

  async circular(actor: Actor, orgId: string, quarterLabel?: string): Promise<QuarterCircular> {
    const { org, quarter, now } = await this.frame(actor, orgId, quarterLabel);
    const scope = scopeCondition('t.responsible_org_path', '$1', '$2');
    const params = [...scopeParams(actor), now, quarter.start, quarter.end, org.path];
    const entries: CircularRow[] = await this.db.query(
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
      [...scopeParams(actor), quarter.start, quarter.end, org.path, CIRCULATED_FROM_LEVEL],
    );
    const worst: {
      org_id: string;
      org_name: string;
      due: number;
      on_time: number;
    }[] = await this.db.query(
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
    return {
      orgId: org.id,
      orgName: org.name,
      quarter: quarter.label,
      from: quarter.start.toISOString(),
      to: quarter.end.toISOString(),
      asOf: now.toISOString(),
      fromLevel: CIRCULATED_FROM_LEVEL,
      entries: entries.map((r) => ({
        taskId: r.task_id,
        problemId: r.problem_id,
        problemTitle: r.title,
        measure: r.measure,
        orgId: r.org_id,
        orgName: r.org_name,
        dueAt: r.due_at?.toISOString() ?? null,
        dueDate: r.due_date,
        level: r.level,
        levelName: r.level_name,
        reachedAt: r.reached_at?.toISOString() ?? null,
        state: r.state,
        closedAt: r.closed_at?.toISOString() ?? null,
        responsibleUserId: r.responsible_user_id,
        responsibleName: r.responsible_name,
        leaderUserId: r.leader_user_id,
        leaderName: r.leader_name,
      })),
      worstOnTime: worst.map((w) => ({
        orgId: w.org_id,
        orgName: w.org_name,
        dueInQuarter: w.due,
        closedOnTime: w.on_time,
        missed: w.due - w.on_time,
        onTimeRate: rate(w.on_time, w.due)!,
      })),
    };
  }

  /** The org (in scope, else 404) and the quarter (its label in the org's zone; now's by default). */
  private async frame(actor: Actor, orgId: string, quarterLabel?: string) {
    const now = this.clock.now();
    const found = await this.tasks.orgInScope(this.db.manager, actor, orgId, 'orgId');
    const rows: { name: string; level: number }[] = await this.db.query(
      `SELECT name, nlevel(path) AS level FROM orgs WHERE id = $1`,
      [found.id],
    );
    const org = { ...found, name: rows[0].name, level: rows[0].level };
    let quarter: Quarter;
    if (quarterLabel === undefined) {
      quarter = quarterOf(now, org.time_zone);
    } else {
      const q = quarterByLabel(quarterLabel, org.time_zone);
      if (!q) {
        throw invalid(
          'quarter',
          `季度须写作 YYYYQn，如 2026Q4 — quarter must name a quarter as YYYYQn, e.g. ${quarterOf(now, org.time_zone).label}`,
        );
      }
      quarter = q;
    }
    return { org, quarter, now };
  }
}

function toTally(r: TallyRow): OrgTally {
  const n = (v: number | null) => v ?? 0;
  const levels = new Map<number, number>();
  for (const level of r.levels ?? []) levels.set(level, (levels.get(level) ?? 0) + 1);
  return {
    orgId: r.org_id,
    orgName: r.org_name,
    total: n(r.total),
    byState: {
      assigned: n(r.assigned),
      in_progress: n(r.in_progress),
      submitted: n(r.submitted),
      verified: n(r.verified),
      closed: n(r.closed),
    },
    byLight: { red: n(r.red), yellow: n(r.yellow), blue: n(r.blue), green: n(r.green) },
    dueInQuarter: n(r.due),
    closedOnTime: n(r.on_time),
    onTimeRate: rate(n(r.on_time), n(r.due)),
    overdue: n(r.overdue),
    escalations: [...levels].sort(([a], [b]) => a - b).map(([level, tasks]) => ({ level, tasks })),
    recurringProblems: n(r.recurring),
  };
}

function sumTallies(tallies: readonly OrgTally[]): OrgTally {
  const sum = (f: (t: OrgTally) => number) => tallies.reduce((acc, t) => acc + f(t), 0);
  const levels = new Map<number, number>();
  for (const t of tallies) {
    for (const e of t.escalations) levels.set(e.level, (levels.get(e.level) ?? 0) + e.tasks);
  }
  const byState = Object.fromEntries(
    TASK_STATES.map((s) => [s, sum((t) => t.byState[s])]),
  ) as Record<TaskState, number>;
  const byLight = Object.fromEntries(LIGHTS.map((l) => [l, sum((t) => t.byLight[l])])) as Record<
    Light,
    number
  >;
  const due = sum((t) => t.dueInQuarter);
  const onTime = sum((t) => t.closedOnTime);
  return {
    orgId: '',
    orgName: '',
    total: sum((t) => t.total),
    byState,
    byLight,
    dueInQuarter: due,
    closedOnTime: onTime,
    onTimeRate: rate(onTime, due),
    overdue: sum((t) => t.overdue),
    escalations: [...levels].sort(([a], [b]) => a - b).map(([level, tasks]) => ({ level, tasks })),
    recurringProblems: sum((t) => t.recurringProblems),
  };
}
