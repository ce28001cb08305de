import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  addCalendarDays,
  CLOCK,
  type Clock,
  localDateOf,
  quarterByLabel,
  quarterOf,
  quarterStartPlan,
  startOfLocalDay,
  type Quarter,
} from '#duban/domain';
import { NotificationsService, type NotificationInput } from '#duban/notifications';
import { type DueJob, type DueWorkSource, JOB } from '#duban/scheduling';
import { ENGINE_QUEUE } from '../escalation/task-timer.source';
import {
  type CommitmentItemDue,
  CommitmentsRepository,
} from '../five-in-one/commitments.repository';

/** A progress report still missing this many days into the quarter turns the task yellow. */
export const REPORT_GRACE_DAYS = 15;
const NOTIFY_CHUNK = 2000;
/** How long the list of time zones in use is trusted; a new zone is picked up within this. */
const ZONES_TTL_MS = 5 * 60_000;
/** A quarterly job not done yet is offered under a new id once per this window. */
export const QUARTER_JOB_GENERATION_MS = 5 * 60_000;

/** When the grace period of a quarter ends, in the same zone: 00:00 local on day 16. */
export function reportLateAt(q: Quarter, timeZone: string): Date {
  return startOfLocalDay(
    addCalendarDays(localDateOf(q.start, timeZone), REPORT_GRACE_DAYS),
    timeZone,
  );
}

interface TaskLine {
  id: string;
  measure: string;
  dueAt: string | null;
}

/** A row of the quarterly cursors: one person and the tasks their message lists. */
interface PersonTasks {
  user_id: string;
  tasks: TaskLine[];
  /** 践诺: the commitment items the person reports in the same quarterly feedback. */
  commitments?: CommitmentItemDue[];
}

/**
 * The quarterly rhythm (季度督查). At the start of each quarter, in each time zone used by the
 * orgs, every person responsible for open tasks gets ONE message listing all of them; 15 days
 * in, tasks still without a report for the quarter turn yellow and their leaders are told.
 * Each run is recorded in quarter_runs under (zone, quarter, kind) in the same transaction as
 * its effects, so it happens once however many workers or retries.
 */
@Injectable()
export class QuarterlyService implements DueWorkSource {
  readonly name = 'quarterly';
  readonly queue = ENGINE_QUEUE;

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly notifications: NotificationsService,
    private readonly commitments: CommitmentsRepository,
  ) {}

  /**
   * Runs on every sweep tick, so it must stay cheap: the zones in use change rarely and are
   * read at most every ZONES_TTL_MS (a cache of derivable data, safe to lose), and the runs
   * already done for the current quarters come from one indexed query.
   */
  async claim(now: Date): Promise<DueJob<'quarter-start' | 'quarter-late'>[]> {
    const zones = await this.zonesInUse(now);
    const quarters = zones.map((zone) => ({ zone, q: quarterOf(now, zone) }));
    const runs: { time_zone: string; quarter: string; kind: string }[] = await this.db.query(
      `SELECT time_zone, quarter, kind FROM quarter_runs
        WHERE (time_zone, quarter) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [quarters.map((x) => x.zone), quarters.map((x) => x.q.label)],
    );
    const done = new Set(runs.map((r) => `${r.time_zone} ${r.quarter} ${r.kind}`));
    // Not claimed for a lease, so re-offered on every tick until quarter_runs says it is done:
    // the id holds for one window (a duplicate within it is dropped) and changes with the next,
    // so a job that failed for good while the database was away is followed by one that runs.
    const generation = `g${Math.floor(now.getTime() / QUARTER_JOB_GENERATION_MS)}`;
    const jobs: DueJob<'quarter-start' | 'quarter-late'>[] = [];
    for (const { zone, q } of quarters) {
      const data = { timeZone: zone, quarter: q.label };
      if (!done.has(`${zone} ${q.label} start`)) {
        jobs.push({
          name: JOB.quarterStart,
          jobId: `quarter-start:${zone}:${q.label}:${generation}`,
          data,
        });
      }
      if (
        !done.has(`${zone} ${q.label} late`) &&
        now.getTime() >= reportLateAt(q, zone).getTime()
      ) {
        jobs.push({
          name: JOB.quarterLate,
          jobId: `quarter-late:${zone}:${q.label}:${generation}`,
          data,
        });
      }
    }
    return jobs;
  }

  private zones: { list: string[]; readAt: number } | null = null;

  private async zonesInUse(now: Date): Promise<string[]> {
    if (
      !this.zones ||
      now.getTime() - this.zones.readAt > ZONES_TTL_MS ||
      now.getTime() < this.zones.readAt
    ) {
      const rows: { time_zone: string }[] = await this.db.query(
        `SELECT DISTINCT time_zone FROM orgs`,
      );
      this.zones = { list: rows.map((r) => r.time_zone), readAt: now.getTime() };
    }
    return this.zones.list;
  }

  /**
   * 季度提醒: one message per responsible person listing every open task that owes a report.
   * Run only at or after the end of the grace period (fresh install, new zone, long outage), it
   * is recorded and sends nothing (quarterStartPlan): no report-by date is ever past, and the
   * late run due on the same sweep is the one message of the quarter.
   */
  async start(timeZone: string, label: string): Promise<number> {
    const q = this.quarter(timeZone, label);
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      if (!(await this.markRun(m, timeZone, label, 'start', now))) return 0;
      const plan = quarterStartPlan(now, reportLateAt(q, timeZone));
      if (!plan.send) return 0;
      // A province's quarter start addresses tens of thousands of people: their grouped task
      // lists are read through a cursor, NOTIFY_CHUNK people at a time, so the worker holds one
      // chunk, never the whole list (same transaction, same exactly-once guard).
      await m.query(
        `DECLARE quarter_start NO SCROLL CURSOR FOR
         SELECT t.responsible_user_id AS user_id,
                json_agg(json_build_object('id', t.id, 'measure', t.measure, 'dueAt', t.due_at)
                         ORDER BY t.due_at NULLS LAST, t.id) AS tasks
           FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id
          WHERE ro.time_zone = $1 AND t.state IN ('assigned', 'in_progress') AND t.withdrawn_at IS NULL
          GROUP BY t.responsible_user_id`,
        [timeZone],
      );
      const reportBy = plan.reportBy.toISOString();
      // One quarterly feedback covers measures and commitments (践诺), so one message lists
      // both: each chunk's people are looked up for the commitment items they report on.
      let due = new Map<string, CommitmentItemDue[]>();
      const reportDue = (r: PersonTasks): NotificationInput => ({
        userIds: [r.user_id],
        kind: 'quarterly_report_due',
        dedupeKey: `quarter:${label}:report-due`,
        params: {
          quarter: label,
          tasks: r.tasks,
          commitments: r.commitments ?? due.get(r.user_id) ?? [],
          timeZone,
          reportBy,
        },
      });
      const { people, tasks } = await this.notifyEach(
        m,
        'quarter_start',
        now,
        reportDue,
        async (rows) => {
          due = await this.commitments.itemsDueFor(
            m,
            timeZone,
            label,
            rows.map((r) => r.user_id),
          );
        },
      );
      // People who report commitment items but answer for no open measure get the one message too.
      await this.commitments.declareDueWithoutOpenTasks(m, 'quarter_commitments', timeZone, label);
      const commitmentsOnly = await this.notifyEach(m, 'quarter_commitments', now, reportDue);
      await m.query(
        `UPDATE quarter_runs SET affected = $4 WHERE time_zone = $1 AND quarter = $2 AND kind = $3`,
        [timeZone, label, 'start', tasks],
      );
      return people + commitmentsOnly.people;
    });
  }

  /** 季度报告逾期: tasks without a report this quarter turn yellow; leaders and owners are told. */
  async late(timeZone: string, label: string): Promise<number> {
    const q = this.quarter(timeZone, label);
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      if (!(await this.markRun(m, timeZone, label, 'late', now))) return 0;
      // Late: open, created before the quarter, no progress reported since it began.
      const late = `ro.id = t.responsible_org_id AND ro.time_zone = $1
        AND t.state IN ('assigned', 'in_progress') AND t.withdrawn_at IS NULL AND t.created_at < $2
        AND (t.last_progress_at IS NULL OR t.last_progress_at < $2)`;
      const [, affected] = (await m.query(
        `UPDATE tasks t SET quarterly_report_late = true FROM orgs ro WHERE ${late}`,
        [timeZone, q.start],
      )) as [unknown, number];
      // The owner and the leader of each late task are told, one message each listing all of
      // theirs, read through a cursor NOTIFY_CHUNK people at a time (as the quarter start).
      await m.query(
        `DECLARE quarter_late NO SCROLL CURSOR FOR
         SELECT person AS user_id,
                json_agg(json_build_object('id', t.id, 'measure', t.measure, 'dueAt', t.due_at)
                         ORDER BY t.due_at NULLS LAST, t.id) AS tasks
           FROM tasks t JOIN orgs ro ON ${late},
                LATERAL (SELECT DISTINCT p FROM unnest(ARRAY[t.responsible_user_id, t.leader_user_id]) p
                          WHERE p IS NOT NULL) AS people(person)
          GROUP BY person`,
        [timeZone, q.start],
      );
      await this.notifyEach(m, 'quarter_late', now, (r) => ({
        userIds: [r.user_id],
        kind: 'quarterly_report_late',
        dedupeKey: `quarter:${label}:report-late`,
        params: { quarter: label, tasks: r.tasks, timeZone },
      }));
      await m.query(
        `UPDATE quarter_runs SET affected = $4 WHERE time_zone = $1 AND quarter = $2 AND kind = $3`,
        [timeZone, label, 'late', affected],
      );
      return affected;
    });
  }

  /**
   * Sends one message per row of an open cursor of (user_id, tasks), NOTIFY_CHUNK people at a
   * time (same transaction, same exactly-once guard), so memory stays bounded however many
   * people a quarter addresses. Closes the cursor.
   */
  private async notifyEach(
    m: EntityManager,
    cursor: string,
    now: Date,
    input: (row: PersonTasks) => NotificationInput,
    beforeChunk?: (rows: PersonTasks[]) => Promise<void>,
  ): Promise<{ people: number; tasks: number }> {
    let people = 0;
    let tasks = 0;
    for (;;) {
      const rows: PersonTasks[] = await m.query(`FETCH ${NOTIFY_CHUNK} FROM ${cursor}`);
      if (rows.length === 0) break;
      await beforeChunk?.(rows);
      people += rows.length;
      tasks += rows.reduce((n, r) => n + r.tasks.length, 0);
      await this.notifications.notifyMany(m, rows.map(input), now);
    }
    await m.query(`CLOSE ${cursor}`);
    return { people, tasks };
  }

  private quarter(timeZone: string, label: string): Quarter {
    const q = quarterByLabel(label, timeZone);
    if (!q) throw new Error(`quarter label ${label} is malformed`);
    return q;
  }

  private async markRun(
    m: { query: DataSource['query'] },
    timeZone: string,
    label: string,
    kind: 'start' | 'late',
    now: Date,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO quarter_runs (time_zone, quarter, kind, done_at, affected) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [timeZone, label, kind, now],
    );
    return rows.length > 0;
  }
}
