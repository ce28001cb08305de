import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventInput, AuditLog } from '#duban/audit';
import {
  Actor,
  applyCommand,
  assignTask,
  blueWindowStart,
  blueWithinWorkingDays,
  CLOCK,
  type Clock,
  DEFAULT_ESCALATION_POLICY,
  DomainEvent,
  endOfLocalDay,
  forbidden,
  isLocalDate,
  listedCloseRefusal,
  localDateOf,
  mayLeadTask,
  type OrgRef,
  TaskCommand,
  TaskMode,
  TaskSnapshot,
  type WorkingDayCalendar,
  conflict,
  fieldLabel,
  invalid,
  notFound,
  Page,
  PageRequest,
  transitionWrites,
} from '#duban/domain';
import { EvidenceService } from '#duban/evidence';
import { pathToIds } from '#duban/persistence';
import { CalendarService } from '../calendar/calendar.service';
import { NegativeListRepository } from '../negative-list/negative-list.repository';
import { WorkflowNoticesService } from '../notices/workflow-notices.service';
import { ProblemsRepository } from '../problems/problems.repository';
import { WORKING_DAY_CALENDAR } from './calendar';
import { refusalError } from './refusal';
import {
  type ExtensionView,
  TaskFilter,
  TaskRow,
  TaskView,
  toExtensionView,
  toSnapshot,
  toTaskView,
} from './task-record';
import { type LockedTask, type TaskOrgRecord, TasksRepository } from './tasks.repository';

export type { ExtensionView } from './task-record';
export type { LockedTask } from './tasks.repository';

/** A deadline as the API accepts it: a local date (end of that day in the org's zone) or an instant. */
export interface DeadlineInput {
  dueDate?: string;
  dueAt?: string;
}

export interface NewTask extends DeadlineInput {
  measure: string;
  responsibleOrgId: string;
  responsibleUserId: string;
  leaderUserId?: string;
  mode: TaskMode;
}

export interface TaskResult {
  task: TaskView;
  /** Non-fatal remarks, e.g. a deadline beyond the known holiday calendar. */
  warnings: string[];
}

@Injectable()
export class TasksService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKING_DAY_CALENDAR) private readonly calendar: WorkingDayCalendar,
    private readonly calendars: CalendarService,
    private readonly audit: AuditLog,
    private readonly evidence: EvidenceService,
    private readonly negativeList: NegativeListRepository,
    private readonly notices: WorkflowNoticesService,
    private readonly repo: TasksRepository,
    private readonly problems: ProblemsRepository,
  ) {}

  // --- reading ------------------------------------------------------------------------------

  /** A task the actor can see (its responsible org is in one of their subtrees), else 404. */
  async get(actor: Actor, id: string): Promise<TaskView> {
    const row = await this.repo.findInScope(this.db.manager, actor, id);
    if (!row)
      throw notFound(
        `任务不存在或不在你的范围内 — task ${id} does not exist or is outside your scope`,
      );
    return toTaskView(row, actor, this.clock.now());
  }

  /**
   * Display names of the people who acted on a task the caller may see (its timeline's actors):
   * whoever sees a task sees who worked on it, even from orgs above their own.
   */
  async displayNames(userIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map();
    return this.repo.displayNames(this.db.manager, ids);
  }

  async list(actor: Actor, filter: TaskFilter, page: PageRequest): Promise<Page<TaskView>> {
    const now = this.clock.now();
    const { rows, total } = await this.repo.list(this.db.manager, actor, filter, page, now);
    return {
      items: rows.map((r) => toTaskView(r, actor, now)),
      total,
      page: page.page,
      pageSize: page.pageSize,
    };
  }

  // --- assigning (交办) ----------------------------------------------------------------------

  /**
   * Adds a measure to a problem inside the caller's transaction: the problem's raising org
   * assigns it to a responsible org in its subtree and a person holding a role there.
   */
  async assignWithin(
    m: EntityManager,
    actor: Actor,
    problem: { id: string; raisedByOrgId: string },
    input: NewTask,
    fieldPrefix = '',
  ): Promise<{ id: string; warnings: string[] }> {
    const now = this.clock.now();
    const raising = await this.orgInScope(m, actor, problem.raisedByOrgId, 'raisedByOrgId');
    const responsible = await this.orgInScope(
      m,
      actor,
      input.responsibleOrgId,
      `${fieldPrefix}responsibleOrgId`,
    );
    assertActiveOrg(responsible, `${fieldPrefix}responsibleOrgId`);
    await this.assertUserExists(m, input.responsibleUserId, `${fieldPrefix}responsibleUserId`);
    const raisingRef: OrgRef = { id: raising.id, path: pathToIds(raising.path) };
    const responsibleRef: OrgRef = { id: responsible.id, path: pathToIds(responsible.path) };
    if (input.leaderUserId) {
      await this.assertUserExists(m, input.leaderUserId, `${fieldPrefix}leaderUserId`);
      await this.assertEligibleLeader(
        m,
        input.leaderUserId,
        responsibleRef,
        raisingRef,
        `${fieldPrefix}leaderUserId`,
      );
    }
    const holds = await this.repo.holdsLiveRole(m, input.responsibleUserId, responsible.id);
    const { dueAt, warnings } = this.resolveDeadline(
      input,
      input.mode,
      responsible.time_zone,
      fieldPrefix,
      undefined,
      this.calendars.forOrgPath(responsible.path),
    );
    const id = randomUUID();
    const result = assignTask(
      actor,
      {
        id,
        raisingOrg: raisingRef,
        responsibleOrg: responsibleRef,
        responsibleUserId: input.responsibleUserId,
        responsibleUserHoldsRoleInResponsibleOrg: holds,
        leaderUserId: input.leaderUserId ?? null,
        mode: input.mode,
        dueAt,
      },
      now,
    );
    if (!result.ok) throw refusalError(result);
    // A deadline starts the ladder: the engine plans its reminders and steps on its next sweep.
    await this.repo.insert(m, {
      id,
      problemId: problem.id,
      measure: input.measure,
      raisingOrg: { id: raising.id, path: raising.path },
      responsibleOrg: { id: responsible.id, path: responsible.path },
      responsibleUserId: input.responsibleUserId,
      leaderUserId: input.leaderUserId ?? null,
      mode: input.mode,
      dueAt,
      blueFrom: this.blueFrom(dueAt, responsible.time_zone, responsible.path),
      at: now,
    });
    await this.problems.addMeasure(m, problem.id);
    await this.audit.append(
      m,
      this.auditInputs(result.events, { measure: input.measure, warnings }),
    );
    await this.notices.afterEvents(
      m,
      result.task,
      { problemId: problem.id, measure: input.measure, timeZone: responsible.time_zone },
      result.events,
      now,
    );
    return { id, warnings };
  }

  async assign(actor: Actor, problemId: string, input: NewTask): Promise<TaskResult> {
    const { id, warnings } = await this.db.transaction(async (m) => {
      const problem = await this.problemInScope(m, actor, problemId);
      return this.assignWithin(m, actor, problem, input);
    });
    return { task: await this.get(actor, id), warnings };
  }

  // --- transitions ---------------------------------------------------------------------------

  /**
   * Runs one command of the state machine: lock the task row, check the version the client saw
   * (If-Match), ask libs/domain, then write the new state, side records and audit events in one
   * transaction. Two racing commands serialise on the row lock; the second sees the new state.
   */
  async transition(
    actor: Actor,
    taskId: string,
    commandOrBuilder: TaskCommand | ((task: LockedTask) => TaskCommand),
    ifMatch?: number,
  ): Promise<TaskView> {
    const { before, after } = await this.db.transaction(async (m) => {
      const row = await this.lockTask(m, actor, taskId);
      if (row.withdrawn_at) {
        throw conflict(
          '该问题已撤回，整改措施不再办理 — the problem was withdrawn; its measures are closed to further work',
          undefined,
          'problem_withdrawn',
        );
      }
      const command =
        typeof commandOrBuilder === 'function' ? commandOrBuilder(row) : commandOrBuilder;
      if (ifMatch !== undefined && row.version !== ifMatch) {
        throw conflict(
          `该任务已被他人更新（当前为第 ${row.version} 版，你看到的是第 ${ifMatch} 版），请刷新后重试 — If-Match: task ${taskId} is at version ${row.version}, not ${ifMatch}; reload it and try again`,
          'If-Match',
          'stale_version',
        );
      }
      const now = this.clock.now();
      if (
        command.action === 'close' &&
        (await this.negativeList.isOrgListed(m, row.responsible_org_id, now))
      ) {
        // 负面清单: a listed unit's measures are closed by the raising org's secretary only.
        const refusal = listedCloseRefusal(actor, toSnapshot(row).raisingOrg);
        if (refusal) throw forbidden(refusal, 'negative_list_secretary_only');
      }
      const result = applyCommand(toSnapshot(row), actor, command, now);
      if (!result.ok) throw refusalError(result);
      await this.applyEvidence(m, actor, row, command, now);
      const after = await this.persist(m, row, result.task, result.events, now);
      await this.notices.afterEvents(
        m,
        result.task,
        {
          problemId: row.problem_id,
          problemTitle: row.problem_title,
          measure: row.measure,
          timeZone: row.time_zone,
        },
        result.events,
        now,
      );
      return { before: row, after };
    });
    // The locked row already carries the joined columns (problem, org); only a change of the
    // pending extension needs them read again.
    if (after.pending_extension_id !== before.pending_extension_id) return this.get(actor, taskId);
    return toTaskView(after, actor, this.clock.now());
  }

  /** 申请延期: asked before the deadline, with a reason and the progress so far. */
  async requestExtension(
    actor: Actor,
    taskId: string,
    input: { newDueDate?: string; newDueAt?: string; reason: string; progress?: string },
    ifMatch?: number,
  ): Promise<ExtensionView> {
    const requestId = randomUUID();
    const progress = input.progress ?? (await this.latestProgress(taskId));
    await this.transition(
      actor,
      taskId,
      (task) => {
        const { dueAt } = this.resolveDeadline(
          { dueDate: input.newDueDate, dueAt: input.newDueAt },
          null,
          task.time_zone,
          '',
          { date: 'newDueDate', at: 'newDueAt' },
        );
        if (progress === null) {
          throw invalid(
            'progress',
            '请填写进展情况：说明目前已做了什么（尚无进展反馈） — progress: say what has been done so far (no progress report exists yet)',
            'required',
          );
        }
        return {
          action: 'requestExtension',
          input: { requestId, newDueAt: dueAt!, reason: input.reason, progress },
        };
      },
      ifMatch,
    );
    return this.extension(actor, requestId);
  }

  /** 回头看: reopen a closed measure, optionally with a new deadline. */
  reopen(
    actor: Actor,
    taskId: string,
    input: { reason: string; newDueDate?: string; newDueAt?: string },
    ifMatch?: number,
  ): Promise<TaskView> {
    return this.transition(
      actor,
      taskId,
      (task) => {
        const hasDeadline = input.newDueDate !== undefined || input.newDueAt !== undefined;
        const newDueAt = hasDeadline
          ? this.resolveDeadline(
              { dueDate: input.newDueDate, dueAt: input.newDueAt },
              null,
              task.time_zone,
              '',
              {
                date: 'newDueDate',
                at: 'newDueAt',
              },
            ).dueAt
          : null;
        return { action: 'reopen', input: { reason: input.reason, newDueAt } };
      },
      ifMatch,
    );
  }

  /**
   * 回头看 found a relapse: reopens the closed measure inside the caller's transaction (the
   * re-inspection's), with a new deadline that restarts its ladder, and marks it `relapse`.
   */
  async reopenWithin(
    m: EntityManager,
    actor: Actor,
    taskId: string,
    reason: string,
    newDueAt: Date | null,
  ): Promise<TaskRow> {
    const row = await this.lockTask(m, actor, taskId);
    const now = this.clock.now();
    const result = applyCommand(
      toSnapshot(row),
      actor,
      { action: 'reopen', input: { reason, newDueAt: row.mode === 'standing' ? null : newDueAt } },
      now,
    );
    if (!result.ok) throw refusalError(result);
    return this.persist(m, row, result.task, result.events, now, { relapse: true });
  }

  private latestProgress(taskId: string): Promise<string | null> {
    return this.repo.latestProgress(this.db.manager, taskId);
  }

  /** The task an extension belongs to, if the actor can see it. */
  async taskOfExtension(actor: Actor, extensionId: string): Promise<string> {
    const taskId = await this.repo.taskOfExtension(this.db.manager, actor, extensionId);
    if (taskId === null)
      throw notFound(
        `延期申请不存在或不在你的范围内 — extension ${extensionId} does not exist or is outside your scope`,
      );
    return taskId;
  }

  async extension(actor: Actor, extensionId: string): Promise<ExtensionView> {
    await this.taskOfExtension(actor, extensionId);
    return toExtensionView(await this.repo.extension(this.db.manager, extensionId));
  }

  async extensionsOf(actor: Actor, taskId: string): Promise<ExtensionView[]> {
    await this.get(actor, taskId);
    return (await this.repo.extensionsOf(this.db.manager, taskId)).map(toExtensionView);
  }

  /** Turns a dueDate / dueAt pair into the instant it means, for the org's time zone. */
  resolveDeadline(
    input: DeadlineInput,
    mode: TaskMode | null,
    timeZone: string,
    fieldPrefix = '',
    names: { date: string; at: string } = { date: 'dueDate', at: 'dueAt' },
    /** The responsible org's calendar (forOrgPath), for the warning about unknown years. */
    calendar: WorkingDayCalendar = this.calendar,
  ): { dueAt: Date | null; warnings: string[] } {
    const date = input.dueDate;
    const at = input.dueAt;
    const f = (n: string) => `${fieldPrefix}${n}`;
    if (mode === 'standing') {
      if (date !== undefined || at !== undefined) {
        throw invalid(
          f(names.date),
          `长期坚持的措施没有完成期限，请不要填写${fieldLabel(f(names.date))} — ${f(names.date)}: a standing measure (长期坚持) has no deadline; leave ${names.date} and ${names.at} out`,
        );
      }
      return { dueAt: null, warnings: [] };
    }
    if (date !== undefined && at !== undefined) {
      throw invalid(
        f(names.date),
        `${fieldLabel(f(names.date))}只能按日期或按时刻填写其一 — ${f(names.date)}: give either ${names.date} or ${names.at}, not both`,
      );
    }
    let dueAt: Date;
    if (date !== undefined) {
      if (!isLocalDate(date))
        throw invalid(
          f(names.date),
          `${fieldLabel(f(names.date))}须为日期，格式 YYYY-MM-DD — ${f(names.date)} must be a date as YYYY-MM-DD`,
          'invalid_date',
        );
      dueAt = endOfLocalDay(date, timeZone);
    } else if (at !== undefined) {
      dueAt = new Date(at);
      if (!/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/.test(at) || Number.isNaN(dueAt.getTime())) {
        throw invalid(
          f(names.at),
          `${fieldLabel(f(names.at))}须为带时区的 ISO 8601 时刻，如 2026-12-31T18:00:00+08:00 — ${f(names.at)} must be an ISO 8601 instant with offset, e.g. 2026-12-31T18:00:00+08:00`,
          'invalid_date',
        );
      }
    } else {
      throw invalid(
        f(names.date),
        `请填写${fieldLabel(f(names.date))}（YYYY-MM-DD） — ${f(names.date)}: a deadline is required; give ${names.date} (YYYY-MM-DD) or ${names.at}`,
        'required',
      );
    }
    if (dueAt.getTime() <= this.clock.now().getTime()) {
      throw invalid(
        f(date !== undefined ? names.date : names.at),
        `${fieldLabel(f(date !== undefined ? names.date : names.at))}须为今后的日期，不能早于今天 — ${f(date !== undefined ? names.date : names.at)} must be in the future`,
        'date_in_past',
      );
    }
    const warnings: string[] = [];
    const local = localDateOf(dueAt, timeZone);
    if (!calendar.covers(local)) {
      const range = calendar.knownRange;
      const known = range ? `${range.from} 至 ${range.to}` : '无';
      warnings.push(
        `截止日期 ${local} 超出已知节假日数据范围（${known}），工作日按周一至周五估算 — ` +
          `deadline ${local} is beyond the known holiday calendar; working days are estimated as Monday to Friday`,
      );
    }
    return { dueAt, warnings };
  }

  // --- internals -------------------------------------------------------------------------------

  /** Counted on the responsible org's calendar (national plus its and its ancestors' overrides). */
  blueFrom(dueAt: Date | null, timeZone: string, orgPath: string): Date | null {
    if (!dueAt) return null;
    return blueWindowStart(
      dueAt,
      blueWithinWorkingDays(DEFAULT_ESCALATION_POLICY),
      this.calendars.forOrgPath(orgPath),
      timeZone,
    );
  }

  private async lockTask(m: EntityManager, actor: Actor, id: string): Promise<LockedTask> {
    const row = await this.repo.lockForTransition(m, actor, id);
    if (!row)
      throw notFound(
        `任务不存在或不在你的范围内 — task ${id} does not exist or is outside your scope`,
      );
    return row;
  }

  async problemInScope(
    m: EntityManager,
    actor: Actor,
    problemId: string,
  ): Promise<{ id: string; raisedByOrgId: string; category: string }> {
    const problem = await this.problems.forAssignment(m, actor, problemId);
    if (!problem)
      throw notFound(
        `问题不存在或不在你的范围内 — problem ${problemId} does not exist or is outside your scope`,
      );
    return problem;
  }

  async orgInScope(
    m: EntityManager,
    actor: Actor,
    orgId: string,
    field: string,
  ): Promise<TaskOrgRecord> {
    const org = await this.repo.orgInScope(m, actor, orgId);
    if (!org)
      throw notFound(
        `${fieldLabel(field)}：该组织不存在或不在你的范围内 — ${field}: organisation ${orgId} does not exist or is outside your scope`,
      );
    return org;
  }

  /**
   * The leader in charge (分管领导) must hold a role in the responsible org or an org above it,
   * no higher than the raising org (mayLeadTask, the problem import's rule); 400 naming `field`.
   * For every path that sets a task's leader.
   */
  async assertEligibleLeader(
    m: EntityManager,
    leaderUserId: string,
    responsibleOrg: OrgRef,
    raisingOrg: OrgRef,
    field: string,
  ): Promise<void> {
    const orgs = await this.repo.orgsWithLiveRole(m, leaderUserId);
    if (!mayLeadTask(orgs, responsibleOrg, raisingOrg)) {
      throw invalid(
        field,
        `${fieldLabel(field)}：分管领导须在责任单位或其上级党组织（至立项党组织为止）担任职务 — the leader in charge must hold a role in the responsible organisation or one above it, up to the raising organisation`,
        'leader_not_eligible',
      );
    }
  }

  async assertUserExists(m: EntityManager, userId: string, field: string): Promise<void> {
    if (!(await this.repo.userIsActive(m, userId)))
      throw notFound(
        `${fieldLabel(field)}：该用户不存在 — ${field}: user ${userId} does not exist`,
      );
  }

  /** Evidence named in a progress report or submission: usable by this actor, then linked. */
  private async applyEvidence(
    m: EntityManager,
    actor: Actor,
    row: TaskRow,
    command: TaskCommand,
    now: Date,
  ): Promise<void> {
    if (command.action !== 'reportProgress' && command.action !== 'submit') return;
    const ids = [...(command.input.attachmentIds ?? [])];
    if (command.action === 'submit' && ids.length === 0) {
      if (await this.repo.evidenceRequired(m, row.category, row.raising_org_path)) {
        throw invalid(
          'attachmentIds',
          `该类问题须上传佐证材料，请上传文件后再申请销号 — attachmentIds: the committee requires evidence (佐证材料) for problems of category ${row.category}; upload files and list their ids`,
          'evidence_required',
        );
      }
    }
    if (ids.length === 0) return;
    await this.evidence.assertUsable(m, actor.userId, ids, row.id);
    await this.evidence.link(
      m,
      row.id,
      ids,
      actor.userId,
      command.action === 'submit' ? 'submission' : 'progress',
      now,
    );
  }

  /**
   * Writes what the transition changed (transitionWrites in libs/domain): the task's row, its
   * extension records, its problem's open measures; then the record. Returns the row as it is.
   */
  private async persist(
    m: EntityManager,
    before: LockedTask,
    after: TaskSnapshot,
    events: readonly DomainEvent[],
    now: Date,
    marks: { relapse?: boolean } = {},
  ): Promise<LockedTask> {
    const writes = transitionWrites(
      {
        state: before.state,
        dueAt: before.due_at,
        closedAt: before.closed_at,
        actedBy: before.acted_by,
      },
      after,
      events,
      now,
      (dueAt) => this.blueFrom(dueAt, before.time_zone, before.responsible_org_path),
    );
    await this.repo.writeExtensions(m, writes.extensions);
    const updated = await this.repo.saveTransition(m, after.id, writes.task, marks);
    if (writes.problemOpenDelta !== 0) {
      // 问题状态: a problem is closed once every one of its measures is closed.
      await this.problems.moveOpenMeasures(m, before.problem_id, writes.problemOpenDelta, now);
    }
    await this.audit.append(m, this.auditInputs(events));
    return { ...before, ...updated };
  }

  private auditInputs(
    events: readonly DomainEvent[],
    extra?: Record<string, unknown>,
  ): AuditEventInput[] {
    return events.map((e) => ({
      streamType: 'task',
      streamId: e.taskId,
      at: e.at,
      actorId: e.actorId,
      type: e.type,
      fromState: 'from' in e ? e.from : null,
      toState: 'to' in e ? e.to : null,
      data: e.type === 'assigned' && extra ? { ...e.data, ...extra } : e.data,
    }));
  }
}

/** A deactivated org (已停用) keeps what it has but gets no new problems or measures. */
export function assertActiveOrg(org: { active: boolean }, field: string): void {
  if (!org.active) {
    throw invalid(
      field,
      `${fieldLabel(field)}：该组织已停用，不能再交办问题或整改措施 — the organisation is deactivated and gets no new problems or measures`,
      'org_inactive',
    );
  }
}
