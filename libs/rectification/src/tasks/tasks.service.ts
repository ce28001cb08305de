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
  offsetOf,
  Page,
  PageRequest,
} from '#duban/domain';
import { EvidenceService } from '#duban/evidence';
import {
  pathToIds,
  preparedQuery,
  returning,
  scopeCondition,
  scopeParams,
} from '#duban/persistence';
import { CalendarService } from '../calendar/calendar.service';
import { NegativeListRepository } from '../negative-list/negative-list.repository';
import { WorkflowNoticesService } from '../notices/workflow-notices.service';
import { WORKING_DAY_CALENDAR } from './calendar';
import { refusalError } from './refusal';
import {
  TASK_COLUMNS,
  TASK_FROM,
  taskConditions,
  TaskFilter,
  TaskRow,
  TaskView,
  toSnapshot,
  toTaskView,
} from './task-record';

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

/** A task row locked for a transition, with its responsible org's time zone. */
export type LockedTask = TaskRow & { time_zone: string };

interface OrgRow {
  id: string;
  path: string;
  time_zone: string;
  /** false once the org is deactivated (已停用): it gets no new problems or measures. */
  active: boolean;
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
  ) {}

  // --- reading ------------------------------------------------------------------------------

  /** A task the actor can see (its responsible org is in one of their subtrees), else 404. */
  async get(actor: Actor, id: string): Promise<TaskView> {
    const rows = await preparedQuery<TaskRow>(
      this.db,
      `SELECT ${TASK_COLUMNS} FROM ${TASK_FROM}
        WHERE t.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}`,
      [id, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(
        `任务不存在或不在你的范围内 — task ${id} does not exist or is outside your scope`,
      );
    return toTaskView(rows[0], actor, this.clock.now());
  }

  /**
   * Display names of the people who acted on a task the caller may see (its timeline's actors):
   * whoever sees a task sees who worked on it, even from orgs above their own.
   */
  async displayNames(userIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Map();
    const rows: { id: string; display_name: string }[] = await this.db.query(
      'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  async list(actor: Actor, filter: TaskFilter, page: PageRequest): Promise<Page<TaskView>> {
    const now = this.clock.now();
    const { where: whereSql, params } = taskConditions(actor, filter, now);
    // The page and the total need the problem only when a filter reads it; the other joins
    // are made for the page's rows alone, after the sort and the limit (not for every match).
    const matching = `tasks t ${/\bp\./.test(whereSql) ? 'JOIN problems p ON p.id = t.problem_id' : ''}
      WHERE ${whereSql}`;
    const order = 't.due_at ASC NULLS LAST, t.created_at, t.id';
    // One scan of the matches serves the total and the page: they are collected through the
    // subtree index (a county's red list: ~2,000 of 10^6), counted and sorted. Left to itself,
    // PostgreSQL walks the whole deadline index hoping to meet 50 of them early (30–120 ms).
    const rows: (TaskRow & { total: number })[] = await this.db.query(
      `WITH m AS MATERIALIZED (SELECT t.id, t.due_at, t.created_at FROM ${matching})
       SELECT ${TASK_COLUMNS}, (SELECT count(*) FROM m)::int AS total FROM ${TASK_FROM}
        WHERE t.id IN (SELECT t.id FROM m t ORDER BY ${order}
                        LIMIT ${page.pageSize} OFFSET ${offsetOf(page)})
        ORDER BY ${order}`,
      params,
    );
    // No rows carry the total when nothing matches (the first page is empty: 0) or when the
    // page lies past the end (counted again; rare).
    const total =
      rows[0]?.total ??
      (offsetOf(page) === 0
        ? 0
        : (
            (await this.db.query(`SELECT count(*)::int AS n FROM ${matching}`, params)) as {
              n: number;
            }[]
          )[0].n);
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
    const holds: unknown[] = await m.query(
      `SELECT 1 FROM role_assignments WHERE user_id = $1 AND org_id = $2 AND revoked_at IS NULL LIMIT 1`,
      [input.responsibleUserId, responsible.id],
    );
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
        responsibleUserHoldsRoleInResponsibleOrg: holds.length > 0,
        leaderUserId: input.leaderUserId ?? null,
        mode: input.mode,
        dueAt,
      },
      now,
    );
    if (!result.ok) throw refusalError(result);
    // A deadline starts the ladder: the engine plans its reminders and steps on its next sweep.
    await m.query(
      `INSERT INTO tasks (id, problem_id, measure, raising_org_id, raising_org_path, responsible_org_id,
          responsible_org_path, responsible_user_id, leader_user_id, mode, due_at, state, version,
          blue_from, created_at, updated_at, next_fire_at, deadline_set_at)
       VALUES ($1, $2, $3, $4, $5::ltree, $6, $7::ltree, $8, $9, $10, $11, 'assigned', 1, $12, $13, $13, $14, $14)`,
      [
        id,
        problem.id,
        input.measure,
        raising.id,
        raising.path,
        responsible.id,
        responsible.path,
        input.responsibleUserId,
        input.leaderUserId ?? null,
        input.mode,
        dueAt,
        this.blueFrom(dueAt, responsible.time_zone, responsible.path),
        now,
        dueAt ? now : null,
      ],
    );
    await m.query(
      `UPDATE problems SET task_count = task_count + 1, open_task_count = open_task_count + 1,
              closed_at = NULL WHERE id = $1`,
      [problem.id],
    );
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
    const after = await this.persist(m, row, result.task, result.events, now);
    await m.query(`UPDATE tasks SET relapse = true WHERE id = $1`, [taskId]);
    return { ...after, relapse: true };
  }

  private async latestProgress(taskId: string): Promise<string | null> {
    const rows: { content: string }[] = await this.db.query(
      `SELECT data->>'content' AS content FROM audit_events
        WHERE stream_id = $1 AND type = 'progress_reported' ORDER BY seq DESC LIMIT 1`,
      [taskId],
    );
    return rows[0]?.content ?? null;
  }

  /** The task an extension belongs to, if the actor can see it. */
  async taskOfExtension(actor: Actor, extensionId: string): Promise<string> {
    const rows: { task_id: string }[] = await this.db.query(
      `SELECT x.task_id FROM extensions x JOIN tasks t ON t.id = x.task_id
        WHERE x.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}`,
      [extensionId, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(
        `延期申请不存在或不在你的范围内 — extension ${extensionId} does not exist or is outside your scope`,
      );
    return rows[0].task_id;
  }

  async extension(actor: Actor, extensionId: string): Promise<ExtensionView> {
    await this.taskOfExtension(actor, extensionId);
    const rows: ExtensionRow[] = await this.db.query(`SELECT * FROM extensions WHERE id = $1`, [
      extensionId,
    ]);
    return toExtensionView(rows[0]);
  }

  async extensionsOf(actor: Actor, taskId: string): Promise<ExtensionView[]> {
    await this.get(actor, taskId);
    const rows: ExtensionRow[] = await this.db.query(
      `SELECT * FROM extensions WHERE task_id = $1 ORDER BY requested_at, id`,
      [taskId],
    );
    return rows.map(toExtensionView);
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
    const rows = await preparedQuery<LockedTask>(
      m,
      `SELECT ${TASK_COLUMNS}, ro.time_zone FROM ${TASK_FROM}
        WHERE t.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}
        FOR UPDATE OF t`,
      [id, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(
        `任务不存在或不在你的范围内 — task ${id} does not exist or is outside your scope`,
      );
    // Waiting for the lock, PostgreSQL re-reads only the locked task row, not the joined ones:
    // a pending extension inserted by the transaction we waited for is then invisible (x.* NULL
    // with pending_extension_id set). Now that we hold the lock, a fresh read sees it.
    if (rows[0].pending_extension_id !== null && rows[0].ext_requested_by === null) {
      const fresh = await preparedQuery<LockedTask>(
        m,
        `SELECT ${TASK_COLUMNS}, ro.time_zone FROM ${TASK_FROM} WHERE t.id = $1`,
        [id],
      );
      return fresh[0];
    }
    return rows[0];
  }

  async problemInScope(
    m: EntityManager,
    actor: Actor,
    problemId: string,
  ): Promise<{ id: string; raisedByOrgId: string; category: string }> {
    const rows: { id: string; raised_by_org_id: string; category: string }[] = await m.query(
      `SELECT p.id, p.raised_by_org_id, p.category FROM problems p
        WHERE p.id = $1 AND ${scopeCondition('p.org_path', '$2', '$3')}`,
      [problemId, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(
        `问题不存在或不在你的范围内 — problem ${problemId} does not exist or is outside your scope`,
      );
    return { id: rows[0].id, raisedByOrgId: rows[0].raised_by_org_id, category: rows[0].category };
  }

  async orgInScope(m: EntityManager, actor: Actor, orgId: string, field: string): Promise<OrgRow> {
    const rows: OrgRow[] = await m.query(
      `SELECT o.id, o.path::text AS path, o.time_zone, o.active FROM orgs o
        WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [orgId, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(
        `${fieldLabel(field)}：该组织不存在或不在你的范围内 — ${field}: organisation ${orgId} does not exist or is outside your scope`,
      );
    return rows[0];
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
    const rows: { id: string; path: string }[] = await m.query(
      `SELECT o.id, o.path::text AS path FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
        WHERE ra.user_id = $1 AND ra.revoked_at IS NULL`,
      [leaderUserId],
    );
    const orgs = rows.map((r) => ({ id: r.id, path: pathToIds(r.path) }));
    if (!mayLeadTask(orgs, responsibleOrg, raisingOrg)) {
      throw invalid(
        field,
        `${fieldLabel(field)}：分管领导须在责任单位或其上级党组织（至立项党组织为止）担任职务 — the leader in charge must hold a role in the responsible organisation or one above it, up to the raising organisation`,
        'leader_not_eligible',
      );
    }
  }

  async assertUserExists(m: EntityManager, userId: string, field: string): Promise<void> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND active`, [userId]);
    if (rows.length === 0)
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
      const required: unknown[] = await m.query(
        `SELECT 1 FROM evidence_requirements er JOIN orgs o ON o.id = er.org_id
          WHERE er.category = $1 AND $2::ltree <@ o.path LIMIT 1`,
        [row.category, row.raising_org_path],
      );
      if (required.length > 0) {
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

  private async persist(
    m: EntityManager,
    before: LockedTask,
    after: TaskSnapshot,
    events: readonly DomainEvent[],
    now: Date,
  ): Promise<TaskRow> {
    let closedAt: Date | null = before.closed_at;
    let problemOpenDelta = 0;
    const extra: string[] = [];
    const extraParams: unknown[] = [];
    const set = (column: string, value: unknown) => {
      extraParams.push(value);
      extra.push(`${column} = $${extraParams.length + 9}`);
    };
    for (const e of events) {
      switch (e.type) {
        case 'progress_reported':
          set('last_progress_at', e.at);
          set('quarterly_report_late', false);
          break;
        case 'check_recorded':
          set('last_check_result', e.data.result);
          set('last_check_at', e.at);
          break;
        case 'extension_requested':
          await m.query(
            `INSERT INTO extensions (id, task_id, requested_by, requested_at, current_due_at,
                requested_due_at, reason, progress, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')`,
            [
              e.data.requestId,
              e.taskId,
              e.actorId,
              e.at,
              e.data.currentDueAt,
              e.data.requestedDueAt,
              e.data.reason,
              e.data.progress,
            ],
          );
          break;
        case 'extension_approved':
        case 'extension_rejected':
          await m.query(
            `UPDATE extensions SET state = $2, decided_by = $3, decided_at = $4, comment = $5 WHERE id = $1`,
            [
              e.data.requestId,
              e.type === 'extension_approved' ? 'approved' : 'rejected',
              e.actorId,
              e.at,
              e.data.comment,
            ],
          );
          break;
        case 'closed':
          closedAt = e.at;
          problemOpenDelta -= 1;
          break;
        case 'reopened':
          closedAt = null;
          problemOpenDelta += 1;
          // A reopened measure starts a new round: earlier check findings no longer describe it.
          set('last_check_result', null);
          break;
        default:
          break;
      }
    }
    // Who acted on the task only grows; they never judge it (conflicts of interest).
    if (after.actedBy.length !== (before.acted_by ?? []).length) set('acted_by', after.actedBy);
    const dueChanged = (after.dueAt?.getTime() ?? null) !== (before.due_at?.getTime() ?? null);
    if (dueChanged) {
      set('blue_from', this.blueFrom(after.dueAt, before.time_zone, before.responsible_org_path));
      // A new deadline (延期 approved, or reopened with one) restarts the ladder; the steps
      // already taken stay in task_effects and the record.
      set('deadline_set_at', now);
      set('escalation_level', 0);
      set('supervised', false);
    }
    if (dueChanged || after.state !== before.state) {
      // The ladder runs while the unit owes work (assigned, in progress); it pauses while a
      // submission awaits verification and stops at closure. The engine re-plans from here.
      const ladderRuns =
        (after.state === 'assigned' || after.state === 'in_progress') && after.dueAt !== null;
      set('next_fire_at', ladderRuns ? now : null);
      set('claimed_until', null);
    }
    const [updated] = await returning<TaskRow>(
      m,
      `UPDATE tasks SET state = $2, version = $3, due_at = $4, last_submitted_by = $5,
              last_verified_by = $6, pending_extension_id = $7, closed_at = $8, updated_at = $9
              ${extra.length ? `, ${extra.join(', ')}` : ''}
        WHERE id = $1 RETURNING *`,
      [
        after.id,
        after.state,
        after.version,
        after.dueAt,
        after.lastSubmittedBy,
        after.lastVerifiedBy,
        after.pendingExtension?.requestId ?? null,
        closedAt,
        now,
        ...extraParams,
      ],
    );
    if (problemOpenDelta !== 0) {
      // 问题状态: a problem is closed once every one of its measures is closed.
      await m.query(
        `UPDATE problems SET open_task_count = open_task_count + $2,
                closed_at = CASE WHEN open_task_count + $2 = 0 THEN $3::timestamptz ELSE NULL END
          WHERE id = $1`,
        [before.problem_id, problemOpenDelta, now],
      );
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

interface ExtensionRow {
  id: string;
  task_id: string;
  requested_by: string;
  requested_at: Date;
  current_due_at: Date;
  requested_due_at: Date;
  reason: string;
  progress: string;
  state: 'pending' | 'approved' | 'rejected';
  decided_by: string | null;
  decided_at: Date | null;
  comment: string | null;
}

export interface ExtensionView {
  id: string;
  taskId: string;
  state: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: string;
  currentDueAt: string;
  newDueAt: string;
  reason: string;
  progress: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
}

function toExtensionView(r: ExtensionRow): ExtensionView {
  return {
    id: r.id,
    taskId: r.task_id,
    state: r.state,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at.toISOString(),
    currentDueAt: r.current_due_at.toISOString(),
    newDueAt: r.requested_due_at.toISOString(),
    reason: r.reason,
    progress: r.progress,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at?.toISOString() ?? null,
    comment: r.comment,
  };
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
