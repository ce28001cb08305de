import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEventInput, AuditLog } from '#duban/audit';
import {
  type Actor,
  chinaCalendar,
  DomainError,
  type DomainEvent,
  type ExtensionWrite,
  type OrgRef,
  problemAfterMeasures,
  type ProblemMeasureCounts,
  type Role,
  type TaskRowChange,
} from '#duban/domain';
import type { EvidenceService } from '#duban/evidence';
import { idsToPath } from '#duban/persistence';
import type { CalendarService } from '../calendar/calendar.service';
import type { NegativeListRepository } from '../negative-list/negative-list.repository';
import type { WorkflowNoticesService } from '../notices/workflow-notices.service';
import type { ProblemsRepository } from '../problems/problems.repository';
import type { ExtensionRow, TaskRow } from './task-record';
import type { LockedTask, NewTaskRecord, TaskOrgRecord, TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';

/**
 * TasksService's orchestration, with in-memory fakes of its repositories: which rows it asks
 * to change, in which order it refuses, what it records. The SQL itself (scope, locks, the
 * statements) is tested against PostgreSQL by the e2e suites (lifecycle, conflicts, engine).
 */

const NOW = new Date('2026-09-10T02:00:00.000Z');
const DUE = new Date('2026-10-31T15:59:59.999Z');

const ids = {
  prov: '00000000-0000-4000-8000-000000000001',
  cmt: '00000000-0000-4000-8000-000000000002',
  br: '00000000-0000-4000-8000-000000000003',
  problem: '00000000-0000-4000-8000-0000000000a1',
  task: '00000000-0000-4000-8000-0000000000b1',
  resp: '00000000-0000-4000-8000-0000000000c1',
  cmtSec: '00000000-0000-4000-8000-0000000000c2',
  cmtSup: '00000000-0000-4000-8000-0000000000c3',
};
const ORG: Record<'prov' | 'cmt' | 'br', OrgRef> = {
  prov: { id: ids.prov, path: [ids.prov] },
  cmt: { id: ids.cmt, path: [ids.prov, ids.cmt] },
  br: { id: ids.br, path: [ids.prov, ids.cmt, ids.br] },
};
const actor = (userId: string, org: OrgRef, role: Role): Actor => ({
  userId,
  systemAdmin: false,
  grants: [{ org, role }],
});
const resp = actor(ids.resp, ORG.br, 'member');
const cmtSec = actor(ids.cmtSec, ORG.cmt, 'secretary');
const cmtSup = actor(ids.cmtSup, ORG.cmt, 'supervisor');

function taskRow(over: Partial<LockedTask> = {}): LockedTask {
  return {
    id: ids.task,
    problem_id: ids.problem,
    problem_title: '三会一课不规范',
    category: 'organisation',
    severity: 'normal',
    measure: '补开支委会',
    raising_org_id: ids.cmt,
    raising_org_path: idsToPath(ORG.cmt.path),
    responsible_org_id: ids.br,
    responsible_org_path: idsToPath(ORG.br.path),
    responsible_org_name: '第一支部',
    responsible_user_id: ids.resp,
    responsible_user_name: '张三',
    leader_user_id: null,
    leader_user_name: null,
    mode: 'deadline',
    due_at: DUE,
    state: 'assigned',
    version: 1,
    last_submitted_by: null,
    last_verified_by: null,
    pending_extension_id: null,
    last_check_result: null,
    last_check_at: null,
    last_progress_at: null,
    escalation_level: 2,
    blue_from: null,
    quarterly_report_late: false,
    created_at: new Date('2026-09-01T00:00:00.000Z'),
    updated_at: new Date('2026-09-01T00:00:00.000Z'),
    closed_at: null,
    ext_requested_by: null,
    ext_requested_at: null,
    ext_requested_due_at: null,
    ext_reason: null,
    ext_progress: null,
    acted_by: [],
    withdrawn_at: null,
    time_zone: 'Asia/Shanghai',
    ...over,
  };
}

/** The task rows, as TasksRepository would keep them; scope is the SQL's business, not faked. */
class FakeTasks {
  rows = new Map<string, LockedTask>();
  saved: { id: string; change: TaskRowChange; marks: { relapse?: boolean } }[] = [];
  extensions = new Map<string, ExtensionRow>();
  extensionWrites: ExtensionWrite[] = [];
  inserted: NewTaskRecord[] = [];
  evidenceRequiredFor = new Set<string>();
  orgs = new Map<string, TaskOrgRecord>();
  roles = new Set<string>();

  async findInScope(_m: EntityManager, _a: Actor, id: string): Promise<TaskRow | null> {
    return this.rows.get(id) ?? null;
  }
  async lockForTransition(_m: EntityManager, _a: Actor, id: string) {
    return this.rows.get(id) ?? null;
  }
  async saveTransition(
    _m: EntityManager,
    id: string,
    c: TaskRowChange,
    marks: { relapse?: boolean } = {},
  ): Promise<TaskRow> {
    this.saved.push({ id, change: c, marks });
    const row = this.rows.get(id)!;
    const pending = c.pendingExtensionId ? this.extensions.get(c.pendingExtensionId) : undefined;
    const next: LockedTask = {
      ...row,
      state: c.state,
      version: c.version,
      due_at: c.dueAt,
      last_submitted_by: c.lastSubmittedBy,
      last_verified_by: c.lastVerifiedBy,
      pending_extension_id: c.pendingExtensionId,
      ext_requested_by: pending?.requested_by ?? null,
      ext_requested_at: pending?.requested_at ?? null,
      ext_requested_due_at: pending?.requested_due_at ?? null,
      ext_reason: pending?.reason ?? null,
      ext_progress: pending?.progress ?? null,
      closed_at: c.closedAt,
      updated_at: c.updatedAt,
      acted_by: c.actedBy ? [...c.actedBy] : row.acted_by,
      last_check_result:
        c.lastCheckResult !== undefined ? c.lastCheckResult : row.last_check_result,
      escalation_level: c.ladderRestart ? c.ladderRestart.escalationLevel : row.escalation_level,
      blue_from: c.ladderRestart ? c.ladderRestart.blueFrom : row.blue_from,
      relapse: marks.relapse ? true : row.relapse,
    };
    this.rows.set(id, next);
    return next;
  }
  async writeExtensions(_m: EntityManager, writes: readonly ExtensionWrite[]) {
    for (const w of writes) {
      this.extensionWrites.push(w);
      if (w.kind === 'request') {
        this.extensions.set(w.id, {
          id: w.id,
          task_id: w.taskId,
          requested_by: w.requestedBy,
          requested_at: w.requestedAt,
          current_due_at: w.currentDueAt,
          requested_due_at: w.requestedDueAt,
          reason: w.reason,
          progress: w.progress,
          state: 'pending',
          decided_by: null,
          decided_at: null,
          comment: null,
        });
      } else {
        const x = this.extensions.get(w.id)!;
        this.extensions.set(w.id, {
          ...x,
          state: w.state,
          decided_by: w.decidedBy,
          decided_at: w.decidedAt,
          comment: w.comment,
        });
      }
    }
  }
  async taskOfExtension(_m: EntityManager, _a: Actor, id: string) {
    return this.extensions.get(id)?.task_id ?? null;
  }
  async extension(_m: EntityManager, id: string) {
    return this.extensions.get(id)!;
  }
  async latestProgress() {
    return '已完成一半';
  }
  async evidenceRequired(_m: EntityManager, category: string) {
    return this.evidenceRequiredFor.has(category);
  }
  async insert(_m: EntityManager, t: NewTaskRecord) {
    this.inserted.push(t);
  }
  async orgInScope(_m: EntityManager, _a: Actor, orgId: string) {
    return this.orgs.get(orgId) ?? null;
  }
  async userIsActive() {
    return true;
  }
  async holdsLiveRole(_m: EntityManager, userId: string, orgId: string) {
    return this.roles.has(`${userId}@${orgId}`);
  }
  async orgsWithLiveRole() {
    return [];
  }
}

/** The problems' counts of measures, moved by the domain's rule as the repository's SQL does. */
class FakeProblems {
  counts = new Map<string, ProblemMeasureCounts & { closedAt: Date | null }>();
  async addMeasure(_m: EntityManager, id: string) {
    this.counts.set(
      id,
      problemAfterMeasures(this.counts.get(id)!, { added: 1, openDelta: 1 }, NOW),
    );
  }
  async moveOpenMeasures(_m: EntityManager, id: string, delta: number, now: Date) {
    this.counts.set(
      id,
      problemAfterMeasures(this.counts.get(id)!, { added: 0, openDelta: delta }, now),
    );
  }
  async forAssignment(_m: EntityManager, _a: Actor, id: string) {
    return { id, raisedByOrgId: ids.cmt, category: 'organisation' };
  }
}

function setUp(opts: { listed?: boolean } = {}) {
  const manager = {} as EntityManager;
  const transactions: number[] = [];
  const db = {
    manager,
    transaction: async <T>(fn: (m: EntityManager) => Promise<T>) => {
      transactions.push(1);
      return fn(manager);
    },
  } as unknown as DataSource;
  const audit: AuditEventInput[] = [];
  const notices: { events: readonly DomainEvent[]; context: unknown }[] = [];
  const tasks = new FakeTasks();
  const problems = new FakeProblems();
  const service = new TasksService(
    db,
    { now: () => NOW },
    chinaCalendar(),
    { forOrgPath: () => chinaCalendar() } as unknown as CalendarService,
    {
      append: async (_m: EntityManager, events: readonly AuditEventInput[]) => {
        audit.push(...events);
      },
    } as unknown as AuditLog,
    { assertUsable: async () => {}, link: async () => {} } as unknown as EvidenceService,
    { isOrgListed: async () => opts.listed ?? false } as unknown as NegativeListRepository,
    {
      afterEvents: async (
        _m: EntityManager,
        _t: unknown,
        context: unknown,
        events: readonly DomainEvent[],
      ) => {
        notices.push({ events, context });
      },
    } as unknown as WorkflowNoticesService,
    tasks as unknown as TasksRepository,
    problems as unknown as ProblemsRepository,
  );
  return { service, tasks, problems, audit, notices, transactions };
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('TasksService.transition', () => {
  it('accept: saves the new state with the ladder planned again, records and announces it', async () => {
    const { service, tasks, problems, audit, notices } = setUp();
    tasks.rows.set(ids.task, taskRow());
    const view = await service.transition(resp, ids.task, { action: 'accept', input: {} }, 1);
    expect(view).toMatchObject({ state: 'in_progress', version: 2 });
    expect(tasks.saved).toHaveLength(1);
    expect(tasks.saved[0].change).toMatchObject({
      state: 'in_progress',
      version: 2,
      actedBy: [ids.resp],
      timer: { nextFireAt: NOW },
    });
    expect(tasks.saved[0].change.ladderRestart).toBeUndefined();
    expect(problems.counts.size).toBe(0);
    expect(audit.map((e) => [e.type, e.fromState, e.toState])).toEqual([
      ['accepted', 'assigned', 'in_progress'],
    ]);
    expect(notices[0].events.map((e) => e.type)).toEqual(['accepted']);
    expect(notices[0].context).toMatchObject({ problemId: ids.problem, timeZone: 'Asia/Shanghai' });
  });

  it('a stale If-Match is refused before anything is written', async () => {
    const { service, tasks, audit } = setUp();
    tasks.rows.set(ids.task, taskRow({ version: 3 }));
    const e = await refusal(service.transition(resp, ids.task, { action: 'accept', input: {} }, 2));
    expect(e.code).toBe('stale_version');
    expect(tasks.saved).toEqual([]);
    expect(audit).toEqual([]);
  });

  it('a measure of a withdrawn problem takes no further work', async () => {
    const { service, tasks } = setUp();
    tasks.rows.set(ids.task, taskRow({ withdrawn_at: NOW }));
    const e = await refusal(service.transition(resp, ids.task, { action: 'accept', input: {} }));
    expect(e.code).toBe('problem_withdrawn');
    expect(tasks.saved).toEqual([]);
  });

  it('closing the last open measure closes its problem, at that moment', async () => {
    const { service, tasks, problems, audit } = setUp();
    tasks.rows.set(
      ids.task,
      taskRow({ state: 'verified', version: 4, last_submitted_by: ids.resp }),
    );
    problems.counts.set(ids.problem, { taskCount: 2, openTaskCount: 1, closedAt: null });
    const view = await service.transition(cmtSec, ids.task, { action: 'close', input: {} });
    expect(view).toMatchObject({ state: 'closed', closedAt: NOW.toISOString() });
    expect(tasks.saved[0].change).toMatchObject({ closedAt: NOW, timer: { nextFireAt: null } });
    expect(problems.counts.get(ids.problem)).toEqual({
      taskCount: 2,
      openTaskCount: 0,
      closedAt: NOW,
    });
    expect(audit.map((e) => e.type)).toEqual(['closed']);
  });

  it('a unit on the negative list has its measures closed by the secretary alone', async () => {
    const { service, tasks, problems } = setUp({ listed: true });
    tasks.rows.set(ids.task, taskRow({ state: 'verified', version: 4 }));
    problems.counts.set(ids.problem, { taskCount: 1, openTaskCount: 1, closedAt: null });
    const e = await refusal(service.transition(cmtSup, ids.task, { action: 'close', input: {} }));
    expect(e.code).toBe('negative_list_secretary_only');
    expect(tasks.saved).toEqual([]);
    expect(problems.counts.get(ids.problem)?.openTaskCount).toBe(1);
  });

  it('a submission without the evidence its category requires writes nothing', async () => {
    const { service, tasks, audit } = setUp();
    tasks.rows.set(ids.task, taskRow({ state: 'in_progress', version: 2 }));
    tasks.evidenceRequiredFor.add('organisation');
    const e = await refusal(
      service.transition(resp, ids.task, { action: 'submit', input: { summary: '已整改' } }),
    );
    expect(e.code).toBe('evidence_required');
    expect(e.field).toBe('attachmentIds');
    expect(tasks.saved).toEqual([]);
    expect(audit).toEqual([]);
  });
});

describe('extensions (延期)', () => {
  it('a request is recorded beside the task; its approval restarts the ladder on the new deadline', async () => {
    const { service, tasks } = setUp();
    tasks.rows.set(ids.task, taskRow({ state: 'in_progress', version: 2 }));
    const asked = await service.requestExtension(resp, ids.task, {
      newDueAt: '2026-12-31T18:00:00+08:00',
      reason: '需上级协调',
    });
    expect(asked).toMatchObject({ state: 'pending', progress: '已完成一半', taskId: ids.task });
    expect(tasks.saved[0].change).toMatchObject({ pendingExtensionId: asked.id });
    expect(tasks.saved[0].change.ladderRestart).toBeUndefined();

    await service.transition(cmtSec, ids.task, {
      action: 'decideExtension',
      input: { requestId: asked.id, approve: true, comment: '同意' },
    });
    expect(tasks.extensions.get(asked.id)).toMatchObject({
      state: 'approved',
      decided_by: ids.cmtSec,
    });
    const approval = tasks.saved[1].change;
    expect(approval.dueAt).toEqual(new Date('2026-12-31T10:00:00.000Z'));
    expect(approval.ladderRestart).toMatchObject({
      deadlineSetAt: NOW,
      escalationLevel: 0,
      supervised: false,
    });
    expect(approval.ladderRestart?.blueFrom).toBeInstanceOf(Date);
    expect(approval.timer).toEqual({ nextFireAt: NOW });
  });
});

describe('reopenWithin (回头看 found a relapse)', () => {
  it('reopens the closed measure with a new deadline, marks it, and opens its problem again', async () => {
    const { service, tasks, problems, audit } = setUp();
    tasks.rows.set(
      ids.task,
      taskRow({ state: 'closed', version: 5, closed_at: new Date('2026-09-05T00:00:00Z') }),
    );
    problems.counts.set(ids.problem, {
      taskCount: 1,
      openTaskCount: 0,
      closedAt: new Date('2026-09-05T00:00:00Z'),
    });
    const newDueAt = new Date('2026-11-30T15:59:59.999Z');
    const row = await service.reopenWithin({} as EntityManager, cmtSup, ids.task, '反弹', newDueAt);
    expect(row).toMatchObject({ state: 'in_progress', relapse: true, closed_at: null });
    expect(tasks.saved[0].marks).toEqual({ relapse: true });
    expect(tasks.saved[0].change.ladderRestart).toMatchObject({ escalationLevel: 0 });
    expect(problems.counts.get(ids.problem)).toEqual({
      taskCount: 1,
      openTaskCount: 1,
      closedAt: null,
    });
    expect(audit.map((e) => e.type)).toEqual(['reopened']);
  });
});

describe('assign (交办)', () => {
  it('inserts the measure with its blue window, counts it on the problem and records it', async () => {
    const { service, tasks, problems, audit, transactions } = setUp();
    tasks.orgs.set(ids.cmt, {
      id: ids.cmt,
      path: idsToPath(ORG.cmt.path),
      name: '党委',
      time_zone: 'Asia/Shanghai',
      active: true,
    });
    tasks.orgs.set(ids.br, {
      id: ids.br,
      path: idsToPath(ORG.br.path),
      name: '第一支部',
      time_zone: 'Asia/Shanghai',
      active: true,
    });
    tasks.roles.add(`${ids.resp}@${ids.br}`);
    problems.counts.set(ids.problem, { taskCount: 1, openTaskCount: 0, closedAt: NOW });
    const { id, warnings } = await service.assignWithin(
      {} as EntityManager,
      cmtSup,
      { id: ids.problem, raisedByOrgId: ids.cmt },
      {
        measure: '补开支委会',
        responsibleOrgId: ids.br,
        responsibleUserId: ids.resp,
        mode: 'deadline',
        dueDate: '2026-10-31',
      },
    );
    expect(warnings).toEqual([]);
    expect(transactions).toEqual([]);
    expect(tasks.inserted).toEqual([
      expect.objectContaining({
        id,
        problemId: ids.problem,
        responsibleOrg: { id: ids.br, path: idsToPath(ORG.br.path) },
        dueAt: DUE,
        at: NOW,
      }),
    ]);
    expect(tasks.inserted[0].blueFrom!.getTime()).toBeLessThan(DUE.getTime());
    expect(problems.counts.get(ids.problem)).toEqual({
      taskCount: 2,
      openTaskCount: 1,
      closedAt: null,
    });
    expect(audit).toEqual([
      expect.objectContaining({
        type: 'assigned',
        streamId: id,
        data: expect.objectContaining({ measure: '补开支委会' }),
      }),
    ]);
  });

  it('refuses a responsible person without a role in the responsible org, writing nothing', async () => {
    const { service, tasks, problems } = setUp();
    for (const [key, path] of [
      ['cmt', ORG.cmt.path],
      ['br', ORG.br.path],
    ] as const)
      tasks.orgs.set(ids[key], {
        id: ids[key],
        path: idsToPath(path),
        name: key,
        time_zone: 'Asia/Shanghai',
        active: true,
      });
    problems.counts.set(ids.problem, { taskCount: 0, openTaskCount: 0, closedAt: null });
    await refusal(
      service.assignWithin(
        {} as EntityManager,
        cmtSup,
        { id: ids.problem, raisedByOrgId: ids.cmt },
        {
          measure: '补开支委会',
          responsibleOrgId: ids.br,
          responsibleUserId: ids.resp,
          mode: 'deadline',
          dueDate: '2026-10-31',
        },
      ),
    );
    expect(tasks.inserted).toEqual([]);
    expect(problems.counts.get(ids.problem)?.taskCount).toBe(0);
  });
});
