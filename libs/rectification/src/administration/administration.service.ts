import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  CLOCK,
  type Clock,
  conflict,
  forbidden,
  invalid,
  isUniqueViolation,
  mayAdministerOrg,
  mayAssignRole,
  mayEditProblem,
  mayReassignTask,
  mayRevokeRole,
  mayWithdrawProblem,
  notFound,
  type OrgRef,
  reasonError,
  ROLE_LABELS,
  type Role,
} from '#duban/domain';
import { OrgsRepository, type RoleRecord, RolesRepository, UsersRepository } from '#duban/identity';
import { NotificationsService } from '#duban/notifications';
import { pathToIds } from '#duban/persistence';
import { ProblemsRepository } from '../problems/problems.repository';
import { type ProblemDetail, ProblemsService } from '../problems/problems.service';
import { type TaskView } from '../tasks/task-record';
import { TasksRepository } from '../tasks/tasks.repository';
import { assertActiveOrg, TasksService } from '../tasks/tasks.service';

export interface ReassignInput {
  responsibleOrgId?: string;
  responsibleUserId?: string;
  leaderUserId?: string;
  reason: string;
}

const checkReason = (reason: string | undefined): string => {
  const error = reasonError(reason);
  if (error) throw invalid('reason', `reason：${error}`, 'reason_required');
  return reason!.trim();
};

/**
 * Administration of people and orgs (人员与组织管理): grant and revoke roles (kept as history),
 * rename and deactivate orgs, reassign a measure (改派), edit or withdraw (撤回) a problem.
 * Orchestration only: rules in libs/domain, SQL in libs/identity's repositories (orgs, roles,
 * accounts) and in ProblemsRepository and TasksRepository (problems and measures), an audit event
 * in the same transaction as every change.
 */
@Injectable()
export class AdministrationService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly tasks: TasksService,
    private readonly problems: ProblemsService,
    private readonly notifications: NotificationsService,
    private readonly problemRows: ProblemsRepository,
    private readonly taskRows: TasksRepository,
    private readonly orgs: OrgsRepository,
    private readonly roleGrants: RolesRepository,
    private readonly users: UsersRepository,
  ) {}

  // --- roles ---------------------------------------------------------------------------------

  async grantRole(actor: Actor, orgId: string, userId: string, role: Role): Promise<RoleRecord> {
    const now = this.clock.now();
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      const org = await this.orgOrNotFound(m, actor, orgId, true);
      const decision = mayAssignRole(actor, org.ref, role);
      if (!decision.allowed) throw forbidden(decision.reason);
      if (!(await this.users.isActive(m, userId)))
        throw notFound(
          `userId：该用户不存在或已停用 — user ${userId} does not exist`,
          'user_not_found',
        );
      try {
        await this.roleGrants.insert(m, {
          id,
          userId,
          orgId,
          role,
          grantedBy: actor.userId,
          at: now,
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict(
            `该用户已在本组织担任${ROLE_LABELS[role]} — user ${userId} already holds the role ${role} in this organisation`,
            'role',
            'role_already_held',
          );
        throw e;
      }
      await this.audit.append(m, [
        {
          streamType: 'org',
          streamId: orgId,
          at: now,
          actorId: actor.userId,
          type: 'role_granted',
          data: { userId, role },
        },
      ]);
    });
    return this.roleGrants.find(this.db.manager, id);
  }

  async revokeRole(actor: Actor, orgId: string, userId: string, role: Role): Promise<RoleRecord> {
    const now = this.clock.now();
    const id = await this.db.transaction(async (m) => {
      const org = await this.orgOrNotFound(m, actor, orgId, true);
      const decision = mayRevokeRole(actor, org.ref, role, userId);
      if (!decision.allowed) throw forbidden(decision.reason);
      const revoked = await this.roleGrants.revoke(m, {
        userId,
        orgId,
        role,
        revokedBy: actor.userId,
        at: now,
      });
      if (!revoked)
        throw notFound(
          `该用户未在本组织担任${ROLE_LABELS[role]} — user ${userId} holds no role ${role} in this organisation`,
          'role_not_held',
        );
      await this.audit.append(m, [
        {
          streamType: 'org',
          streamId: orgId,
          at: now,
          actorId: actor.userId,
          type: 'role_revoked',
          data: { userId, role },
        },
      ]);
      return revoked;
    });
    return this.roleGrants.find(this.db.manager, id);
  }

  async roles(actor: Actor, orgId: string, history: boolean): Promise<RoleRecord[]> {
    await this.orgOrNotFound(this.db.manager, actor, orgId);
    return this.roleGrants.ofOrg(this.db.manager, orgId, history);
  }

  // --- orgs ----------------------------------------------------------------------------------

  /** Rename and/or deactivate (停用) or reactivate an org. */
  async updateOrg(actor: Actor, orgId: string, change: { name?: string; active?: boolean }) {
    if (change.name === undefined && change.active === undefined)
      throw invalid(
        'name',
        'name：请至少修改名称或启用状态之一 — give name or active',
        'nothing_to_change',
      );
    const name = change.name?.trim();
    if (name !== undefined && (name.length < 1 || name.length > 200))
      throw invalid('name', 'name：组织名称须为 1–200 个字符 — name must be 1-200 characters');
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const org = await this.orgOrNotFound(m, actor, orgId, true);
      const decision = mayAdministerOrg(actor, org.ref);
      if (!decision.allowed) throw forbidden(decision.reason);
      try {
        await this.orgs.update(m, orgId, { name, active: change.active });
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict(
            `name：同级已有名为“${name}”的组织 — an organisation named "${name}" already exists at this level`,
            'name',
            'org_name_taken',
          );
        throw e;
      }
      const events = [];
      if (name !== undefined && name !== org.name)
        events.push({ type: 'org_renamed', data: { from: org.name, to: name } });
      if (change.active !== undefined && change.active !== org.active)
        events.push({ type: change.active ? 'org_activated' : 'org_deactivated', data: {} });
      await this.audit.append(
        m,
        events.map((e) => ({
          streamType: 'org' as const,
          streamId: orgId,
          at: now,
          actorId: actor.userId,
          type: e.type,
          data: e.data,
        })),
      );
    });
  }

  // --- problems ------------------------------------------------------------------------------

  async editProblem(
    actor: Actor,
    id: string,
    change: { title?: string; description?: string; reason: string },
  ): Promise<ProblemDetail> {
    const reason = checkReason(change.reason);
    if (change.title === undefined && change.description === undefined)
      throw invalid(
        'title',
        'title：请修改标题或描述 — give title or description',
        'nothing_to_change',
      );
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const problem = await this.problemRows.lockForChange(m, actor, id);
      if (!problem)
        throw notFound(
          `问题不存在或不在你的管辖范围内 — problem ${id} does not exist or is outside your scope`,
        );
      const decision = mayEditProblem(actor, problem.raisingOrg, problem.withdrawn);
      if (!decision.allowed) throw forbidden(decision.reason);
      await this.problemRows.updateText(m, id, change);
      await this.audit.append(m, [
        {
          streamType: 'problem',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'edited',
          data: {
            reason,
            from: { title: problem.title, description: problem.description },
            to: {
              title: change.title ?? problem.title,
              description: change.description ?? problem.description,
            },
          },
        },
      ]);
    });
    return this.problems.get(actor, id);
  }

  /** 撤回: the problem and its open measures become history; nothing is deleted. */
  async withdrawProblem(
    actor: Actor,
    id: string,
    input: { reason: string },
  ): Promise<ProblemDetail> {
    const reason = checkReason(input.reason);
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const problem = await this.problemRows.lockForChange(m, actor, id);
      if (!problem)
        throw notFound(
          `问题不存在或不在你的管辖范围内 — problem ${id} does not exist or is outside your scope`,
        );
      const decision = mayWithdrawProblem(actor, problem.raisingOrg, problem);
      if (!decision.allowed)
        throw problem.withdrawn || problem.closed
          ? conflict(decision.reason, undefined, 'problem_not_withdrawable')
          : forbidden(decision.reason);
      await this.problemRows.withdraw(m, id, { by: actor.userId, at: now, reason });
      const tasks = await this.taskRows.withdrawOpenOfProblem(m, id, now);
      await this.audit.append(m, [
        {
          streamType: 'problem',
          streamId: id,
          at: now,
          actorId: actor.userId,
          type: 'withdrawn',
          toState: 'withdrawn',
          data: { reason, taskIds: tasks.map((t) => t.id) },
        },
        ...tasks.map((t) => ({
          streamType: 'task' as const,
          streamId: t.id,
          at: now,
          actorId: actor.userId,
          type: 'withdrawn',
          fromState: t.state,
          toState: t.state,
          data: { reason, problemId: id },
        })),
      ]);
    });
    return this.problems.get(actor, id);
  }

  // --- tasks (改派) --------------------------------------------------------------------------

  async reassign(
    actor: Actor,
    taskId: string,
    input: ReassignInput,
    ifMatch?: number,
  ): Promise<TaskView> {
    const reason = checkReason(input.reason);
    if (!input.responsibleOrgId && !input.responsibleUserId && !input.leaderUserId)
      throw invalid(
        'responsibleOrgId',
        'responsibleOrgId：请指定新的责任单位、责任人或分管领导 — give responsibleOrgId, responsibleUserId or leaderUserId',
        'nothing_to_change',
      );
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      const task = await this.taskRows.lockForReassign(m, actor, taskId);
      if (!task)
        throw notFound(
          `任务不存在或不在你的管辖范围内 — task ${taskId} does not exist or is outside your scope`,
        );
      if (ifMatch !== undefined && task.version !== ifMatch)
        throw conflict(
          `状态已变化，请刷新后重试 — If-Match: task ${taskId} is at version ${task.version}, not ${ifMatch}; reload it and try again`,
          'If-Match',
          'stale_version',
        );
      let newOrg:
        { id: string; path: string; name: string; ref: OrgRef; timeZone: string } | undefined;
      if (input.responsibleOrgId && input.responsibleOrgId !== task.responsibleOrgId) {
        const org = await this.tasks.orgInScope(
          m,
          actor,
          input.responsibleOrgId,
          'responsibleOrgId',
        );
        assertActiveOrg(org, 'responsibleOrgId');
        newOrg = {
          id: org.id,
          path: org.path,
          name: org.name,
          ref: { id: org.id, path: pathToIds(org.path) },
          timeZone: org.time_zone,
        };
      }
      const decision = mayReassignTask(actor, {
        raisingOrg: task.raisingOrg,
        problemOrg: task.problemOrg,
        state: task.state as never,
        withdrawn: task.withdrawn,
        newResponsibleOrg: newOrg?.ref,
      });
      if (!decision.allowed) {
        if (decision.field) throw invalid(decision.field, decision.reason, decision.code);
        if (decision.code) throw conflict(decision.reason, undefined, decision.code);
        throw forbidden(decision.reason);
      }
      const orgId = newOrg?.id ?? task.responsibleOrgId;
      const orgPath = newOrg?.path ?? task.responsibleOrgPath;
      const orgRef: OrgRef = newOrg?.ref ?? { id: orgId, path: pathToIds(orgPath) };
      const userId = input.responsibleUserId ?? task.responsibleUserId;
      const userField = input.responsibleUserId ? 'responsibleUserId' : 'responsibleOrgId';
      await this.tasks.assertUserExists(m, userId, 'responsibleUserId');
      if (!(await this.roleGrants.holdsLive(m, userId, orgId)))
        throw invalid(
          userField,
          `${userField}：责任人须在责任单位担任职务 — the responsible person must hold a role in the responsible organisation`,
          'responsible_not_in_org',
        );
      const leaderId = input.leaderUserId ?? task.leaderUserId;
      if (leaderId) {
        await this.tasks.assertUserExists(m, leaderId, 'leaderUserId');
        await this.tasks.assertEligibleLeader(m, leaderId, orgRef, task.raisingOrg, 'leaderUserId');
      }
      if (
        orgId === task.responsibleOrgId &&
        userId === task.responsibleUserId &&
        leaderId === task.leaderUserId
      )
        throw invalid(
          'responsibleOrgId',
          'responsibleOrgId：改派后的责任单位、责任人和分管领导与现在相同 — nothing changes',
          'nothing_to_change',
        );
      await this.taskRows.reassign(m, taskId, {
        responsibleOrgId: orgId,
        responsibleOrgPath: orgPath,
        responsibleUserId: userId,
        leaderUserId: leaderId,
        at: now,
        newOrg: newOrg && {
          blueFrom: this.tasks.blueFrom(task.dueAt, newOrg.timeZone, newOrg.path),
        },
      });
      const from = {
        responsibleOrgId: task.responsibleOrgId,
        responsibleUserId: task.responsibleUserId,
        leaderUserId: task.leaderUserId,
      };
      const to = { responsibleOrgId: orgId, responsibleUserId: userId, leaderUserId: leaderId };
      await this.audit.append(m, [
        {
          streamType: 'task',
          streamId: taskId,
          at: now,
          actorId: actor.userId,
          type: 'reassigned',
          fromState: task.state,
          toState: task.state,
          data: { reason, from, to },
        },
      ]);
      const orgName = newOrg?.name ?? task.responsibleOrgName;
      const people = [
        from.responsibleUserId,
        from.leaderUserId,
        to.responsibleUserId,
        to.leaderUserId,
      ];
      await this.notifications.notify(
        m,
        {
          userIds: [...new Set(people.filter((p): p is string => p !== null))],
          kind: 'task_reassigned',
          dedupeKey: `task:${taskId}:reassigned:v${task.version + 1}`,
          params: { taskId, taskMeasure: task.measure, orgName, reason },
          taskIds: [taskId],
        },
        now,
      );
    });
    return this.tasks.get(actor, taskId);
  }

  private async orgOrNotFound(m: EntityManager, actor: Actor, orgId: string, lock = false) {
    const org = await this.orgs.findForAdministration(m, actor, orgId, lock);
    if (!org)
      throw notFound(
        `组织不存在或不在你的管辖范围内 — organisation ${orgId} does not exist or is outside your scope`,
        'org_not_found',
      );
    return org;
  }
}
