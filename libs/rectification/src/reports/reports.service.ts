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
import { OrgsRepository } from '#duban/identity';
import { CIRCULATED_FROM_LEVEL } from '../escalation/ladder.service';
import { onTimeRate } from './on-time';
import { TasksService } from '../tasks/tasks.service';
import { ReportsRepository, type TallyRow } from './reports.repository';

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

const rate = onTimeRate;

/** The quarterly reports of a committee: the summary and the circulated notice (通报). */
@Injectable()
export class ReportsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tasks: TasksService,
    private readonly reports: ReportsRepository,
    private readonly orgs: OrgsRepository,
  ) {}

  async summary(actor: Actor, orgId: string, quarterLabel?: string): Promise<QuarterSummary> {
    const frame = await this.frame(actor, orgId, quarterLabel);
    const { org, quarter, now } = frame;
    const rows = await this.reports.tallies(this.db.manager, actor, frame);
    const tallies = rows.map(toTally);
    const own = tallies.find((_, i) => rows[i].own)!;
    const pressure = await this.reports.pressure(this.db.manager, actor, frame);
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
      overdueTalks: pressure.overdueTalks,
    };
  }

  async circular(actor: Actor, orgId: string, quarterLabel?: string): Promise<QuarterCircular> {
    const frame = await this.frame(actor, orgId, quarterLabel);
    const { org, quarter, now } = frame;
    const entries = await this.reports.circularEntries(
      this.db.manager,
      actor,
      frame,
      CIRCULATED_FROM_LEVEL,
    );
    const worst = await this.reports.worstOnTime(this.db.manager, actor, frame);
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
    const { name, level } = await this.orgs.nameAndLevel(this.db.manager, found.id);
    const org = { ...found, name, level };
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
