import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CLOCK,
  type Clock,
  quarterByLabel,
  quarterOf,
  quarterRunsDue,
  quarterStartPlan,
  reportLateAt,
  type Quarter,
} from '#duban/domain';
import { NotificationsService, type NotificationInput } from '#duban/notifications';
import type { ChunkCursor } from '#duban/persistence';
import { type DueJob, type DueWorkSource, JOB } from '#duban/scheduling';
import { ENGINE_QUEUE } from '../escalation/task-timer.source';
import {
  type CommitmentItemDue,
  CommitmentsRepository,
} from '../five-in-one/commitments.repository';
import type { PersonTasks } from '../tasks/task-engine-rows';
import { TasksRepository } from '../tasks/tasks.repository';
import { QuarterlyRepository, runId } from './quarterly.repository';

export { REPORT_GRACE_DAYS, reportLateAt } from '#duban/domain';

const NOTIFY_CHUNK = 2000;
/** Late tasks turned yellow per transaction (each holds their row locks until it commits). */
const LATE_CHUNK = 5000;
type LateChunk = Awaited<ReturnType<TasksRepository['markQuarterlyReportLate']>>;
/** How long the list of time zones in use is trusted; a new zone is picked up within this. */
const ZONES_TTL_MS = 5 * 60_000;
/** A quarterly job not done yet is offered under a new id once per this window. */
export const QUARTER_JOB_GENERATION_MS = 5 * 60_000;

/**
 * The quarterly rhythm (季度督查). At the start of each quarter, in each time zone used by the
 * orgs, every person responsible for open tasks gets ONE message listing all of them; 15 days
 * in, tasks still without a report for the quarter turn yellow and their leaders are told.
 * Each run is recorded in quarter_runs under (zone, quarter, kind) in the same transaction as
 * its messages, so it happens once however many workers or retries (the late run's yellow
 * marks are written just before, in short transactions, and are harmless to repeat).
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
    private readonly runs: QuarterlyRepository,
    private readonly tasks: TasksRepository,
  ) {}

  /**
   * Runs on every sweep tick, so it must stay cheap: the zones in use change rarely and are
   * read at most every ZONES_TTL_MS (a cache of derivable data, safe to lose), and the runs
   * already done for the current quarters come from one indexed query.
   */
  async claim(now: Date): Promise<DueJob<'quarter-start' | 'quarter-late'>[]> {
    const zones = await this.zonesInUse(now);
    const done = await this.runs.runsDone(
      this.db.manager,
      zones.map((timeZone) => ({ timeZone, quarter: quarterOf(now, timeZone).label })),
    );
    // Not claimed for a lease, so re-offered on every tick until quarter_runs says it is done:
    // the id holds for one window (a duplicate within it is dropped) and changes with the next,
    // so a job that failed for good while the database was away is followed by one that runs.
    const generation = `g${Math.floor(now.getTime() / QUARTER_JOB_GENERATION_MS)}`;
    return quarterRunsDue(now, zones, (zone, quarter, kind) =>
      done.has(runId(zone, quarter, kind)),
    ).map(({ timeZone, quarter, kind }) => ({
      name: kind === 'start' ? JOB.quarterStart : JOB.quarterLate,
      jobId: `quarter-${kind}:${timeZone}:${quarter.label}:${generation}`,
      data: { timeZone, quarter: quarter.label },
    }));
  }

  private zones: { list: string[]; readAt: number } | null = null;

  private async zonesInUse(now: Date): Promise<string[]> {
    if (
      !this.zones ||
      now.getTime() - this.zones.readAt > ZONES_TTL_MS ||
      now.getTime() < this.zones.readAt
    ) {
      this.zones = { list: await this.runs.zonesInUse(this.db.manager), readAt: now.getTime() };
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
      if (!(await this.runs.markRun(m, timeZone, label, 'start', now))) return 0;
      const plan = quarterStartPlan(now, reportLateAt(q, timeZone));
      if (!plan.send) return 0;
      // A province's quarter start addresses tens of thousands of people: their grouped task
      // lists are read through a cursor, NOTIFY_CHUNK people at a time, so the worker holds one
      // chunk, never the whole list (same transaction, same exactly-once guard).
      const reportBy = plan.reportBy.toISOString();
      // One quarterly feedback covers measures and commitments (践诺), so one message lists
      // both: each chunk's people are looked up for the commitment items they report on.
      let due = new Map<string, CommitmentItemDue[]>();
      const reportDue = (
        r: PersonTasks & { commitments?: CommitmentItemDue[] },
      ): NotificationInput => ({
        userIds: [r.userId],
        kind: 'quarterly_report_due',
        dedupeKey: `quarter:${label}:report-due`,
        params: {
          quarter: label,
          tasks: r.tasks,
          commitments: r.commitments ?? due.get(r.userId) ?? [],
          timeZone,
          reportBy,
        },
      });
      const notify = (inputs: NotificationInput[]) => this.notifications.notifyMany(m, inputs, now);
      const { people, tasks } = await this.notifyEach(
        await this.tasks.openQuarterStartCursor(m, timeZone),
        reportDue,
        notify,
        async (rows) => {
          due = await this.commitments.itemsDueFor(
            m,
            timeZone,
            label,
            rows.map((row) => row.userId),
          );
        },
      );
      // People who report commitment items but answer for no open measure get the one message too.
      const commitmentsOnly = await this.notifyEach(
        await this.commitments.openDueWithoutOpenTasks(m, timeZone, label),
        reportDue,
        notify,
      );
      await this.runs.setAffected(m, timeZone, label, 'start', tasks);
      return people + commitmentsOnly.people;
    });
  }

  /** 季度报告逾期: tasks without a report this quarter turn yellow; leaders and owners are told. */
  async late(timeZone: string, label: string): Promise<number> {
    const q = this.quarter(timeZone, label);
    const run = { timeZone, quarter: label };
    if ((await this.runs.runsDone(this.db.manager, [run])).has(runId(timeZone, label, 'late'))) {
      return 0;
    }
    // The tasks turn yellow LATE_CHUNK at a time, each chunk in a short transaction of its
    // own: in one transaction a province's 10^5 late tasks stayed locked for the whole run, and
    // every report on them, with the api's connection pool behind it, waited (~40 s in the soak
    // of 2026-12-02 at BENCH_SCALE=1). Turning a task yellow twice changes nothing, so a retry
    // after a crash simply walks the chunks again.
    let affected = 0;
    let after: string | null = null;
    for (;;) {
      const from = after;
      const chunk: LateChunk = await this.db.transaction((m) =>
        this.tasks.markQuarterlyReportLate(m, timeZone, q.start, from, LATE_CHUNK),
      );
      affected += chunk.matched;
      if (chunk.matched < LATE_CHUNK) break;
      after = chunk.lastId;
    }
    // The record and the messages commit together, once: the owner and the leader of each late
    // task get one message listing all of theirs, read through a cursor NOTIFY_CHUNK people at
    // a time (as the quarter start). Reading locks no task.
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      if (!(await this.runs.markRun(m, timeZone, label, 'late', now))) return 0;
      await this.notifyEach(
        await this.tasks.openQuarterLateCursor(m, timeZone, q.start),
        (r) => ({
          userIds: [r.userId],
          kind: 'quarterly_report_late',
          dedupeKey: `quarter:${label}:report-late`,
          params: { quarter: label, tasks: r.tasks, timeZone },
        }),
        (inputs) => this.notifications.notifyMany(m, inputs, now),
      );
      await this.runs.setAffected(m, timeZone, label, 'late', affected);
      return affected;
    });
  }

  /**
   * Sends one message per person of an open cursor, NOTIFY_CHUNK people at a time (same
   * transaction, same exactly-once guard), so memory stays bounded however many people a
   * quarter addresses. Closes the cursor.
   */
  private async notifyEach<T extends PersonTasks>(
    cursor: ChunkCursor<T>,
    input: (row: T) => NotificationInput,
    notify: (inputs: NotificationInput[]) => Promise<unknown>,
    beforeChunk?: (rows: T[]) => Promise<void>,
  ): Promise<{ people: number; tasks: number }> {
    let people = 0;
    let tasks = 0;
    for (;;) {
      const rows = await cursor.fetch(NOTIFY_CHUNK);
      if (rows.length === 0) break;
      await beforeChunk?.(rows);
      people += rows.length;
      tasks += rows.reduce((n, r) => n + r.tasks.length, 0);
      await notify(rows.map(input));
    }
    await cursor.close();
    return { people, tasks };
  }

  private quarter(timeZone: string, label: string): Quarter {
    const q = quarterByLabel(label, timeZone);
    if (!q) throw new Error(`quarter label ${label} is malformed`);
    return q;
  }
}
