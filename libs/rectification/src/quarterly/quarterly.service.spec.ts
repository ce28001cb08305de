import type { DataSource, EntityManager } from 'typeorm';
import type { NotificationInput, NotificationsService } from '#duban/notifications';
import type { ChunkCursor } from '#duban/persistence';
import type { PersonTasks } from '../tasks/task-engine-rows';
import type { TasksRepository } from '../tasks/tasks.repository';
import { type QuarterlyRepository, runId } from './quarterly.repository';
import { CommitmentsRepository } from '../five-in-one/commitments.repository';
import { QuarterlyService } from './quarterly.service';

/**
 * The quarterly rhythm's orchestration with in-memory repositories. The SQL (who is late,
 * the grouped cursors) and exactly-once under concurrency are tested against PostgreSQL by
 * test/e2e/engine and notices.
 */

const SH = 'Asia/Shanghai';

function person(n: number, tasks = 1): PersonTasks {
  return {
    userId: `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    tasks: Array.from({ length: tasks }, (_, i) => ({
      id: `t${n}-${i}`,
      measure: `措施${i}`,
      dueAt: null,
    })),
  };
}

class World {
  now = new Date('2026-10-01T01:00:00.000Z');
  zones = [SH];
  zoneReads = 0;
  runs = new Map<string, number>();
  people: PersonTasks[] = [];
  lateCount = 0;
  /** The transactions opened, and in which of them each late chunk was marked. */
  transactions = 0;
  lateChunks: { transaction: number; after: string | null; marked: number }[] = [];
  notices: NotificationInput[][] = [];
  closed = 0;
  readonly service: QuarterlyService;

  constructor() {
    const manager = {} as EntityManager;
    const db = {
      manager,
      transaction: <T>(fn: (m: EntityManager) => Promise<T>) => {
        this.transactions += 1;
        return fn(manager);
      },
    } as unknown as DataSource;
    const cursor = (): ChunkCursor<PersonTasks> => {
      let at = 0;
      return {
        fetch: async (n) => {
          const rows = this.people.slice(at, at + n);
          at += rows.length;
          return rows;
        },
        close: async () => {
          this.closed += 1;
        },
      };
    };
    const runs: Pick<QuarterlyRepository, 'zonesInUse' | 'runsDone' | 'markRun' | 'setAffected'> = {
      zonesInUse: async () => {
        this.zoneReads += 1;
        return this.zones;
      },
      runsDone: async () => new Set(this.runs.keys()),
      markRun: async (_m, zone, quarter, kind) => {
        const id = runId(zone, quarter, kind);
        if (this.runs.has(id)) return false;
        this.runs.set(id, 0);
        return true;
      },
      setAffected: async (_m, zone, quarter, kind, affected) => {
        this.runs.set(runId(zone, quarter, kind), affected);
      },
    };
    const tasks: Pick<
      TasksRepository,
      'openQuarterStartCursor' | 'openQuarterLateCursor' | 'markQuarterlyReportLate'
    > = {
      openQuarterStartCursor: async () => cursor(),
      openQuarterLateCursor: async () => cursor(),
      // The late tasks are ids 'late-00000'…, in id order; a chunk starts after the last one seen.
      markQuarterlyReportLate: async (_m, _zone, _start, after, limit) => {
        const from = after === null ? 0 : Number(after.slice(5)) + 1;
        const matched = Math.max(0, Math.min(limit, this.lateCount - from));
        this.lateChunks.push({ transaction: this.transactions, after, marked: matched });
        const last = from + matched - 1;
        return { matched, lastId: matched ? `late-${String(last).padStart(5, '0')}` : null };
      },
    };
    const notifications: Pick<NotificationsService, 'notifyMany'> = {
      notifyMany: async (_m, inputs) => {
        this.notices.push([...inputs]);
        return inputs.map((i) => [...i.userIds]);
      },
    };
    // Nobody here files commitments: the quarter's message lists measures only.
    const commitments: Pick<CommitmentsRepository, 'itemsDueFor' | 'openDueWithoutOpenTasks'> = {
      itemsDueFor: async () => new Map(),
      openDueWithoutOpenTasks: async () => ({ fetch: async () => [], close: async () => {} }),
    };
    this.service = new QuarterlyService(
      db,
      { now: () => this.now },
      notifications as NotificationsService,
      commitments as CommitmentsRepository,
      runs as QuarterlyRepository,
      tasks as TasksRepository,
    );
  }
}

describe('QuarterlyService (orchestration, in-memory repositories)', () => {
  it('quarter start: one message per person, 2000 people per statement, recorded once', async () => {
    const w = new World();
    w.people = Array.from({ length: 4500 }, (_, i) => person(i, 2));

    expect(await w.service.start(SH, '2026Q4')).toBe(4500);
    expect(w.notices.map((chunk) => chunk.length)).toEqual([2000, 2000, 500]);
    expect(w.notices[0][0]).toMatchObject({
      kind: 'quarterly_report_due',
      dedupeKey: 'quarter:2026Q4:report-due',
      userIds: [w.people[0].userId],
      params: { quarter: '2026Q4', reportBy: '2026-10-15T16:00:00.000Z' },
    });
    expect(w.closed).toBe(1);
    expect(w.runs.get(runId(SH, '2026Q4', 'start'))).toBe(9000);

    // A retried job finds the run recorded and sends nothing.
    expect(await w.service.start(SH, '2026Q4')).toBe(0);
    expect(w.notices).toHaveLength(3);
  });

  it('a quarter start run only after the grace period is recorded and sends nothing', async () => {
    const w = new World();
    w.now = new Date('2026-10-20T00:00:00.000Z');
    w.people = [person(1)];

    expect(await w.service.start(SH, '2026Q4')).toBe(0);
    expect(w.notices).toEqual([]);
    expect(w.runs.has(runId(SH, '2026Q4', 'start'))).toBe(true);
  });

  it('quarter late: counts the tasks turned yellow and tells their people once', async () => {
    const w = new World();
    w.now = new Date('2026-10-16T00:00:00.000Z');
    w.lateCount = 7;
    w.people = [person(1, 3), person(2, 4)];

    expect(await w.service.late(SH, '2026Q4')).toBe(7);
    expect(w.notices.flat().map((n) => [n.kind, n.userIds[0]])).toEqual([
      ['quarterly_report_late', w.people[0].userId],
      ['quarterly_report_late', w.people[1].userId],
    ]);
    expect(w.runs.get(runId(SH, '2026Q4', 'late'))).toBe(7);
    expect(await w.service.late(SH, '2026Q4')).toBe(0);
    expect(w.notices).toHaveLength(1);
  });

  it('quarter late: turns a province yellow a chunk per short transaction, then tells once', async () => {
    // One transaction for every late task of a province held their row locks for the whole
    // run, and reports on them (and the api's pool behind them) waited: ~40 s in the soak.
    const w = new World();
    w.now = new Date('2026-10-16T00:00:00.000Z');
    w.lateCount = 12_000;
    w.people = [person(1)];

    expect(await w.service.late(SH, '2026Q4')).toBe(12_000);
    expect(w.lateChunks).toEqual([
      { transaction: 1, after: null, marked: 5000 },
      { transaction: 2, after: 'late-04999', marked: 5000 },
      { transaction: 3, after: 'late-09999', marked: 2000 },
    ]);
    expect(w.transactions).toBe(4); // the three chunks, then the record and the notices
    expect(w.runs.get(runId(SH, '2026Q4', 'late'))).toBe(12_000);

    // Once recorded, a retried job neither marks nor tells again.
    expect(await w.service.late(SH, '2026Q4')).toBe(0);
    expect(w.lateChunks).toHaveLength(3);
    expect(w.notices).toHaveLength(1);
  });

  it('claims the runs not done yet, under ids that change every five minutes', async () => {
    const w = new World();
    w.now = new Date('2026-10-16T00:00:00.000Z');
    const jobs = await w.service.claim(w.now);
    expect(jobs.map((j) => [j.name, j.data])).toEqual([
      ['quarter-start', { timeZone: SH, quarter: '2026Q4' }],
      ['quarter-late', { timeZone: SH, quarter: '2026Q4' }],
    ]);
    const later = await w.service.claim(new Date(w.now.getTime() + 5 * 60_000));
    expect(later.map((j) => j.jobId)).not.toEqual(jobs.map((j) => j.jobId));

    await w.service.start(SH, '2026Q4');
    expect((await w.service.claim(w.now)).map((j) => j.name)).toEqual(['quarter-late']);
    // The zones in use are read once per five minutes, not on every tick.
    expect(w.zoneReads).toBe(1);
    await w.service.claim(new Date(w.now.getTime() + 5 * 60_000 + 1));
    expect(w.zoneReads).toBe(2);
  });
});
