import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEventInput, AuditLog } from '#duban/audit';
import {
  chinaCalendar,
  DEFAULT_POLICY_DOCUMENT,
  endOfLocalDay,
  plannedTimeline,
  DEFAULT_ESCALATION_POLICY,
} from '#duban/domain';
import type { NotificationInput, NotificationsService } from '#duban/notifications';
import type { CasesRepository } from '../accountability/cases.repository';
import type { CalendarService } from '../calendar/calendar.service';
import type { NegativeListService } from '../negative-list/negative-list.service';
import type { LadderTask, LadderTaskUpdate } from '../tasks/task-engine-rows';
import type { TasksRepository } from '../tasks/tasks.repository';
import type { AudiencesRepository } from './audiences.repository';
import { type EffectsRepository, effectId, type NewEffect } from './effects.repository';
import { LadderService } from './ladder.service';
import type { EscalationPolicyService } from './policy.service';

/**
 * The ladder's orchestration with in-memory repositories: what it records, who it tells, what
 * it writes on the task, which cases it opens. The SQL and the exactly-once guard under
 * concurrency are tested against PostgreSQL by test/e2e/engine*.
 */

const SH = 'Asia/Shanghai';
const calendar = chinaCalendar();
const DUE = endOfLocalDay('2026-09-30', SH);
const timeline = plannedTimeline(DUE, DEFAULT_ESCALATION_POLICY, calendar, SH);
const stepAt = (level: number) =>
  timeline.find((i) => i.kind === 'step' && i.level === level)!.firesAt;

const ORG = {
  county: 'c0000000-0000-4000-8000-000000000001',
  town: 'c0000000-0000-4000-8000-000000000002',
  branch: 'c0000000-0000-4000-8000-000000000003',
};
const USER = {
  responsible: 'a0000000-0000-4000-8000-000000000001',
  leader: 'a0000000-0000-4000-8000-000000000002',
  branchSecretary: 'a0000000-0000-4000-8000-000000000003',
  townSecretary: 'a0000000-0000-4000-8000-000000000004',
  discipline: 'a0000000-0000-4000-8000-000000000005',
  countySecretary: 'a0000000-0000-4000-8000-000000000006',
};

function task(id: string, over: Partial<LadderTask> = {}): LadderTask {
  return {
    id,
    state: 'in_progress',
    measure: '恢复党员活动室功能',
    dueAt: DUE,
    deadlineSetAt: new Date('2026-09-01T00:00:00Z'),
    escalationLevel: 0,
    raisingOrgId: ORG.county,
    raisingOrgPath: ORG.county,
    responsibleOrgId: ORG.branch,
    responsibleOrgPath: `${ORG.county}.${ORG.town}.${ORG.branch}`,
    responsibleOrgName: '第一支部',
    responsibleParentId: ORG.town,
    responsibleUserId: USER.responsible,
    leaderUserId: USER.leader,
    timeZone: SH,
    severity: 'general',
    problemId: 'b0000000-0000-4000-8000-000000000001',
    problemTitle: '阵地建设不达标',
    ...over,
  };
}

/** The repositories and collaborators, in memory, with what each was asked to do. */
class World {
  now = DUE;
  tasks = new Map<string, LadderTask>();
  effects = new Map<string, NewEffect>();
  /** Keys another transaction inserts between this one's read and its insert. */
  racing = new Set<string>();
  notified = new Map<string, string[]>();
  updates: LadderTaskUpdate[] = [];
  notices: NotificationInput[] = [];
  events: AuditEventInput[] = [];
  cases = new Map<string, { id: string; subjectUserIds: readonly string[] }>();
  circulated: { taskId: string }[] = [];
  casesListed: { id: string }[] = [];

  readonly service: LadderService;

  constructor() {
    const manager = {} as EntityManager;
    const db = {
      transaction: <T>(fn: (m: EntityManager) => Promise<T>) => fn(manager),
    } as unknown as DataSource;
    const tasks: Pick<TasksRepository, 'lockForLadder' | 'applyLadderPass'> = {
      lockForLadder: async (_m, ids) =>
        [...new Set(ids)]
          .sort()
          .flatMap((id) => (this.tasks.has(id) ? [{ ...this.tasks.get(id)! }] : [])),
      applyLadderPass: async (_m, updates) => {
        this.updates.push(...updates);
      },
    };
    const effects: Pick<EffectsRepository, 'appliedKeys' | 'record' | 'setNotified'> = {
      appliedKeys: async (_m, ids) =>
        new Map(
          ids.map((id) => [
            id,
            new Set(
              [...this.effects.values()].filter((e) => e.taskId === id).map((e) => e.effectKey),
            ),
          ]),
        ),
      record: async (_m, list) => {
        const inserted = new Set<string>();
        for (const e of list) {
          const id = effectId(e.taskId, e.effectKey);
          if (this.effects.has(id) || this.racing.has(e.effectKey)) continue;
          this.effects.set(id, e);
          inserted.add(id);
        }
        return inserted;
      },
      setNotified: async (_m, rows) => {
        rows.forEach((r) => this.notified.set(effectId(r.taskId, r.effectKey), [...r.notified]));
      },
    };
    const cases: Pick<CasesRepository, 'openOnce'> = {
      openOnce: async (_m, list) => {
        const opened: string[] = [];
        for (const c of list) {
          const key = effectId(c.taskId!, c.key);
          if (this.cases.has(key)) continue;
          this.cases.set(key, { id: c.id, subjectUserIds: [...c.subjectUserIds] });
          opened.push(c.id);
        }
        return opened;
      },
    };
    const holders = [
      { orgId: ORG.branch, role: 'secretary', userId: USER.branchSecretary },
      { orgId: ORG.town, role: 'secretary', userId: USER.townSecretary },
      { orgId: ORG.county, role: 'secretary', userId: USER.countySecretary },
      { orgId: ORG.county, role: 'discipline', userId: USER.discipline },
    ];
    const audiences: Pick<AudiencesRepository, 'ancestorsOf' | 'roleHolders'> = {
      ancestorsOf: async (_m, paths) => new Map(paths.map((p) => [p, [ORG.county]])),
      roleHolders: async (_m, orgIds) => holders.filter((h) => orgIds.includes(h.orgId)),
    };
    const policies: Pick<EscalationPolicyService, 'effectiveMany'> = {
      effectiveMany: async (_m, paths) =>
        new Map(
          paths.map((p) => [
            p,
            { document: DEFAULT_POLICY_DOCUMENT, fromOrgId: null, updatedAt: null },
          ]),
        ),
    };
    const calendars: Pick<CalendarService, 'forOrgPath'> = { forOrgPath: () => calendar };
    const notifications: Pick<NotificationsService, 'notifyMany'> = {
      notifyMany: async (_m, inputs) => {
        this.notices.push(...inputs);
        return inputs.map((i) => [...i.userIds]);
      },
    };
    const audit: Pick<AuditLog, 'append'> = {
      append: async (_m, events) => {
        this.events.push(...events);
      },
    };
    const negativeList: Pick<NegativeListService, 'afterCirculated' | 'afterCasesOpened'> = {
      afterCirculated: async (_m, steps) => {
        this.circulated.push(...steps);
      },
      afterCasesOpened: async (_m, list) => {
        this.casesListed.push(...list);
      },
    };
    this.service = new LadderService(
      db,
      { now: () => this.now },
      calendars as CalendarService,
      policies as EscalationPolicyService,
      notifications as NotificationsService,
      audit as AuditLog,
      negativeList as NegativeListService,
      tasks as TasksRepository,
      effects as EffectsRepository,
      cases as CasesRepository,
      audiences as AudiencesRepository,
    );
  }

  add(t: LadderTask): string {
    this.tasks.set(t.id, t);
    return t.id;
  }

  reset(): void {
    this.updates = [];
    this.notices = [];
    this.events = [];
    this.circulated = [];
    this.casesListed = [];
  }
}

const T1 = 'd0000000-0000-4000-8000-000000000001';
const T2 = 'd0000000-0000-4000-8000-000000000002';

describe('LadderService (orchestration, in-memory repositories)', () => {
  it('at the deadline: records both reminders as skipped, applies 催办 once, and sets the next timer', async () => {
    const w = new World();
    w.add(task(T1));
    const outcome = await w.service.processTask(T1);

    expect(outcome.applied.map((a) => [a.kind, a.level, a.superseded])).toEqual([
      ['reminder', null, true],
      ['reminder', null, true],
      ['step', 1, false],
    ]);
    expect(outcome.nextFireAt).toEqual(stepAt(2));
    expect(w.effects.size).toBe(3);
    // Only 催办 is told, to the responsible person and the leader, and the record says so.
    expect(w.notices.map((n) => [n.kind, n.userIds, n.urgent])).toEqual([
      ['escalation', [USER.responsible, USER.leader], false],
    ]);
    expect(w.events.map((e) => e.type)).toEqual(['escalated']);
    const step1 = [...w.effects.keys()].find((k) => k.includes('step:1'))!;
    expect(w.notified.get(step1)).toEqual([USER.responsible, USER.leader]);
    expect(w.updates).toEqual([
      {
        id: T1,
        marks: { level: 1, supervised: false, circulated: false },
        nextFireAt: stepAt(2),
      },
    ]);
    expect(w.cases.size).toBe(0);
  });

  it('run again (a retried job), it changes nothing twice: no notice, no record, same timer', async () => {
    const w = new World();
    w.add(task(T1));
    await w.service.processTask(T1);
    w.reset();
    const again = await w.service.processTask(T1);

    expect(again.applied).toEqual([]);
    expect(w.notices).toEqual([]);
    expect(w.events).toEqual([]);
    expect(w.updates).toEqual([
      { id: T1, marks: { level: 0, supervised: false, circulated: false }, nextFireAt: stepAt(2) },
    ]);
  });

  it('an effect another worker inserted first is not applied here', async () => {
    const w = new World();
    w.add(task(T1));
    const step1 = timeline.find((i) => i.kind === 'step' && i.level === 1)!.key;
    w.racing.add(step1);
    const outcome = await w.service.processTask(T1);

    expect(outcome.applied.map((a) => a.kind)).toEqual(['reminder', 'reminder']);
    expect(w.notices).toEqual([]);
    expect(w.events).toEqual([]);
    expect(w.updates[0].marks.level).toBe(0);
  });

  it('after an outage: every missed step once, marks for 督办 and 通报, a talk due, one case for 问责', async () => {
    const w = new World();
    w.add(task(T1));
    w.now = new Date(stepAt(4).getTime() + 1000);
    const outcome = await w.service.processTask(T1);

    expect(outcome.applied.filter((a) => a.kind === 'step').map((a) => a.level)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(outcome.nextFireAt).toBeNull();
    expect(w.updates).toEqual([
      { id: T1, marks: { level: 4, supervised: true, circulated: true }, nextFireAt: null },
    ]);
    // 通报 alone carries a talk due date, and puts the unit up for the negative list.
    const talkDue = [...w.effects.values()].filter((e) => e.talkDueBy !== null);
    expect(talkDue.map((e) => e.level)).toEqual([3]);
    expect(w.circulated.map((c) => c.taskId)).toEqual([T1]);
    expect(w.events.filter((e) => e.type === 'talk_due')).toHaveLength(1);

    // 问责: one case about the responsible person, the leader and the unit's secretary;
    // discipline inspection and the subjects are told by the case, not by the step's notice.
    expect(w.cases.size).toBe(1);
    const [opened] = [...w.cases.values()];
    expect([...opened.subjectUserIds].sort()).toEqual(
      [USER.responsible, USER.leader, USER.branchSecretary].sort(),
    );
    const step4 = w.notices.find((n) => n.kind === 'escalation' && n.params.level === 4)!;
    expect(step4.userIds).not.toContain(USER.discipline);
    expect(step4.userIds).not.toContain(USER.branchSecretary);
    expect(step4.urgent).toBe(true);
    expect(w.notices.find((n) => n.kind === 'accountability_opened')!.userIds).toEqual([
      USER.discipline,
    ]);
    expect(w.notices.find((n) => n.kind === 'case_opened_subject')!.userIds).toEqual(
      opened.subjectUserIds,
    );
    // Who the case told still counts as notified by the step.
    const step4Key = [...w.effects.keys()].find((k) => k.includes('step:4'))!;
    expect(w.notified.get(step4Key)).toEqual(
      expect.arrayContaining([USER.discipline, USER.branchSecretary]),
    );
    expect(w.events.filter((e) => e.type === 'opened').map((e) => e.streamId)).toEqual([opened.id]);
    expect(w.casesListed.map((c) => c.id)).toEqual([opened.id]);
  });

  it('a task off the ladder (submitted, or without a deadline) gets no effect and its timer cleared', async () => {
    const w = new World();
    w.add(task(T1, { state: 'submitted' }));
    w.add(task(T2, { dueAt: null }));
    const outcomes = await w.service.processBatch([T2, T1, T1]);

    expect([...outcomes.values()]).toEqual([
      { applied: [], nextFireAt: null },
      { applied: [], nextFireAt: null },
    ]);
    expect(w.effects.size).toBe(0);
    expect(w.updates.map((u) => [u.id, u.marks.level, u.nextFireAt])).toEqual([
      [T1, 0, null],
      [T2, 0, null],
    ]);
  });

  it('a batch: each task on its own ladder, and the job counts what was applied', async () => {
    const w = new World();
    w.add(task(T1));
    // Due on 13 Oct: its 7-working-day reminder (28 Sep) has come, nothing else.
    w.add(task(T2, { dueAt: stepAt(2) }));
    const n = await w.service.processTasks([T2, T1]);

    expect(n).toBe(4);
    const reminders = w.notices.filter((x) => x.kind === 'reminder');
    expect(reminders.map((r) => [r.params.taskId, r.userIds])).toEqual([[T2, [USER.responsible]]]);
    expect(w.events.map((e) => [e.streamId, e.type])).toEqual([
      [T1, 'escalated'],
      [T2, 'reminded'],
    ]);
  });
});
