import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  APPROVING_ROLES,
  CLOCK,
  type Clock,
  CONFLICT_OF_INTEREST,
  DomainError,
  drawSample,
  forbidden,
  holdsRoleIn,
  holdsRoleOver,
  invalid,
  pickReinspector,
  type Quarter,
  quarterByLabel,
  quarterOf,
  REINSPECTION_OUTCOMES,
  REINSPECTION_STATES,
  REINSPECTION_WITHIN_WORKING_DAYS,
  reinspectorConflict,
  RELAPSE_DEADLINE_WORKING_DAYS,
  type ReinspectionOutcome,
  type ReinspectionPolicy,
  type ReinspectionState,
  resolveOffset,
  SUPERVISING_ROLES,
  validateReinspectionPolicy,
  type WorkingDayCalendar,
} from '#duban/domain';
import { NotificationsService } from '#duban/notifications';
import { pathToIds } from '#duban/persistence';
import { NegativeListService } from '../negative-list/negative-list.service';
import { ProblemsRepository } from '../problems/problems.repository';
import { QuarterlyRepository } from '../quarterly/quarterly.repository';
import { WORKING_DAY_CALENDAR } from '../tasks/calendar';
import { TasksService } from '../tasks/tasks.service';
import {
  type DrawRecord,
  ReinspectionRecord,
  ReinspectionRepository,
} from './reinspection.repository';

export interface EffectiveReinspectionPolicy extends ReinspectionPolicy {
  inheritedFromOrgId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NOTE = 4000;

/**
 * 回头看: orchestration only. Policies are inherited down the tree; a draw is made once per org
 * and quarter (UNIQUE (org_id, quarter); the worker's end-of-quarter run is also marked in
 * quarter_runs) from a recorded seed and population; each sampled measure gets one
 * re-inspection for an inspector free of conflict; a relapse reopens the measure with a new
 * deadline, so its ladder starts again.
 */
@Injectable()
export class ReinspectionService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKING_DAY_CALENDAR) private readonly calendar: WorkingDayCalendar,
    private readonly repo: ReinspectionRepository,
    private readonly tasks: TasksService,
    private readonly audit: AuditLog,
    private readonly notifications: NotificationsService,
    private readonly negativeList: NegativeListService,
    private readonly problems: ProblemsRepository,
    private readonly runs: QuarterlyRepository,
  ) {}

  // --- policy ---------------------------------------------------------------------------------

  async putPolicy(
    actor: Actor,
    orgId: string,
    body: unknown,
  ): Promise<EffectiveReinspectionPolicy> {
    return this.db.transaction(async (m) => {
      const org = await this.tasks.orgInScope(m, actor, orgId, 'orgId');
      const ref = { id: org.id, path: pathToIds(org.path) };
      if (!actor.systemAdmin && !holdsRoleOver(actor, ref, ['admin', 'secretary', 'deputy'])) {
        throw forbidden('无权设置回头看规则：须为本级或上级党组织的书记、副书记或管理员');
      }
      const checked = validateReinspectionPolicy(body);
      if (!checked.ok) {
        throw new DomainError('invalid', checked.errors[0].message, checked.errors[0].field, [
          ...checked.errors,
        ]);
      }
      const now = this.clock.now();
      await this.repo.putPolicy(m, org.id, checked.value, actor.userId, now);
      return { ...checked.value, inheritedFromOrgId: org.id };
    });
  }

  async getPolicy(actor: Actor, orgId: string): Promise<EffectiveReinspectionPolicy | null> {
    const org = await this.tasks.orgInScope(this.db.manager, actor, orgId, 'orgId');
    const found = await this.repo.effectivePolicy(this.db.manager, org.path);
    return found ? { ...found.policy, inheritedFromOrgId: found.fromOrgId } : null;
  }

  // --- draws ----------------------------------------------------------------------------------

  /** POST /orgs/{id}/reinspection-draws: draws now, or returns the draw already made. */
  async drawNow(actor: Actor, orgId: string, quarterLabel: unknown): Promise<DrawRecord> {
    return this.db.transaction(async (m) => {
      const org = await this.tasks.orgInScope(m, actor, orgId, 'orgId');
      const ref = { id: org.id, path: pathToIds(org.path) };
      if (!actor.systemAdmin && !holdsRoleIn(actor, ref, SUPERVISING_ROLES)) {
        throw forbidden('无权抽取回头看样本：须为该党组织的书记、副书记或督查员');
      }
      const now = this.clock.now();
      const q =
        typeof quarterLabel === 'string' ? quarterByLabel(quarterLabel, org.time_zone) : null;
      if (!q) throw invalid('quarter', 'quarter：须为季度，如 2026Q4');
      if (q.start.getTime() > now.getTime()) {
        throw invalid('quarter', 'quarter：该季度尚未开始，不能抽取');
      }
      const existing = await this.repo.findDraw(m, org.id, q.label);
      if (existing) return existing;
      const drawn = await this.drawWithin(m, org, q, actor.userId, now);
      if (!drawn) {
        throw invalid(
          'orgId',
          'orgId：该党组织及其上级均未设置回头看规则（PUT /orgs/{id}/reinspection-policy）',
          'no_reinspection_policy',
        );
      }
      return drawn;
    });
  }

  async getDraw(actor: Actor, id: string): Promise<DrawRecord> {
    return this.repo.drawInScope(this.db.manager, actor, id);
  }

  /**
   * The worker's end-of-quarter run for one time zone: every org there that raised measures
   * closed in the quarter and has a policy gets its draw. The run is marked in quarter_runs in
   * the same transaction; each draw is unique per org and quarter, so two workers, a retried
   * job or a re-enqueue after a Redis flush draw nothing twice.
   */
  async drawQuarter(timeZone: string, label: string): Promise<number> {
    const q = quarterByLabel(label, timeZone);
    if (!q) throw new Error(`quarter label ${label} is malformed`);
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      if (!(await this.runs.markRun(m, timeZone, label, 'reinspect', now))) return 0;
      const orgs = await this.repo.orgsToDraw(m, timeZone, label, q.start, q.end);
      let drawn = 0;
      for (const org of orgs) if (await this.drawWithin(m, org, q, null, now)) drawn += 1;
      await this.runs.setAffected(m, timeZone, label, 'reinspect', drawn);
      return drawn;
    });
  }

  /**
   * The simpler timer of a re-inspection: once its deadline passes without a result, the
   * inspector (and the raising org's secretaries) are told once (`overdue_notified_at`, set in
   * the same transaction as the notices, is the exactly-once guard).
   */
  async notifyOverdue(ids: readonly string[]): Promise<number> {
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      const marked = await this.repo.markOverdueNotified(m, ids, now);
      const secretaries = marked.length
        ? await this.repo.secretariesOf(m, [...new Set(marked.map((r) => r.raising_org_id))])
        : [];
      await this.notifications.notifyMany(
        m,
        marked.map((r) => ({
          userIds: [
            ...new Set([
              ...(r.inspector_user_id ? [r.inspector_user_id] : []),
              ...secretaries.filter((s) => s.orgId === r.raising_org_id).map((s) => s.userId),
            ]),
          ],
          kind: 'reinspection_assigned' as const,
          dedupeKey: `reinspection:${r.id}:overdue`,
          params: {
            reinspectionId: r.id,
            taskId: r.task_id,
            taskMeasure: r.measure,
            orgName: r.org_name,
            quarter: r.quarter,
            overdue: true,
          },
          urgent: true,
          orgId: r.raising_org_id,
        })),
        now,
      );
      return marked.length;
    });
  }

  /** The quarter that ended last in a zone (the one the worker draws for). */
  static previousQuarter(now: Date, timeZone: string): Quarter {
    return quarterOf(new Date(quarterOf(now, timeZone).start.getTime() - 1), timeZone);
  }

  private async drawWithin(
    m: EntityManager,
    org: { id: string; path: string; time_zone: string },
    q: Quarter,
    drawnBy: string | null,
    now: Date,
  ): Promise<DrawRecord | null> {
    const effective = await this.repo.effectivePolicy(m, org.path);
    if (!effective) return null;
    const population = await this.repo.population(m, org.id, q.start, q.end);
    const seed = randomBytes(16).toString('hex');
    const sample = drawSample(seed, population, effective.policy);
    const draw = await this.repo.insertDraw(m, {
      id: randomUUID(),
      orgId: org.id,
      orgPath: org.path,
      quarter: q.label,
      seed,
      population,
      sample,
      policy: effective.policy,
      drawnAt: now,
      drawnBy,
    });
    // Someone else drew this org and quarter first: theirs stands.
    if (!draw) return this.repo.findDraw(m, org.id, q.label);

    const tasks = await this.repo.sampledTasks(m, sample);
    const candidates = await this.repo.candidates(m, org.id, effective.policy.inspectorRole);
    const dueAt = resolveOffset(
      now,
      { workingDays: REINSPECTION_WITHIN_WORKING_DAYS },
      this.calendar,
      org.time_zone,
    );
    const rows = tasks.map((t) => ({
      id: randomUUID(),
      drawId: draw.id,
      taskId: t.id,
      raisingOrgId: org.id,
      orgPath: t.responsibleOrgPath,
      inspectorUserId: pickReinspector(seed, t, candidates),
      dueAt,
      createdAt: now,
      task: t,
    }));
    await this.repo.insertReinspections(m, rows);
    await this.audit.append(m, [
      {
        streamType: 'reinspection',
        streamId: draw.id,
        at: now,
        actorId: drawnBy,
        type: 'reinspection_drawn',
        data: {
          orgId: org.id,
          quarter: q.label,
          seed,
          population: population.length,
          sampleTaskIds: sample,
        },
      },
      ...rows.map((r) => ({
        streamType: 'task' as const,
        streamId: r.taskId,
        at: now,
        actorId: drawnBy,
        type: 'reinspection_assigned',
        data: { reinspectionId: r.id, drawId: draw.id, inspectorUserId: r.inspectorUserId },
      })),
    ]);
    await this.notifications.notifyMany(
      m,
      rows
        .filter((r) => r.inspectorUserId)
        .map((r) => ({
          userIds: [r.inspectorUserId!],
          kind: 'reinspection_assigned' as const,
          dedupeKey: `reinspection:${r.id}`,
          params: {
            reinspectionId: r.id,
            taskId: r.taskId,
            taskMeasure: r.task.measure,
            orgName: r.task.responsibleOrgName,
            quarter: q.label,
          },
          orgId: org.id,
        })),
      now,
    );
    return draw;
  }

  // --- re-inspections -------------------------------------------------------------------------

  async list(
    actor: Actor,
    filter: { orgId?: string; state?: string },
  ): Promise<ReinspectionRecord[]> {
    let orgPath: string | undefined;
    if (filter.orgId !== undefined) {
      orgPath = (await this.tasks.orgInScope(this.db.manager, actor, filter.orgId, 'orgId')).path;
    }
    if (
      filter.state !== undefined &&
      !(REINSPECTION_STATES as readonly string[]).includes(filter.state)
    ) {
      throw invalid('state', `state：须为 ${REINSPECTION_STATES.join('、')} 之一`);
    }
    return this.repo.list(
      this.db.manager,
      actor,
      { orgPath, state: filter.state as ReinspectionState | undefined },
      this.clock.now(),
    );
  }

  /** POST /reinspections/{id}/result: `held` is recorded; `relapsed` reopens the measure. */
  async result(
    actor: Actor,
    id: string,
    body: { outcome?: unknown; note?: unknown; attachmentIds?: unknown },
  ): Promise<ReinspectionRecord> {
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      const r = await this.repo.lockInScope(m, actor, id, now);
      const [task] = await this.repo.sampledTasks(m, [r.taskId]);
      const conflictReason = reinspectorConflict(actor, task);
      if (conflictReason) {
        throw forbidden(`回避：${conflictReason}`, CONFLICT_OF_INTEREST);
      }
      const raising = { id: task.raisingOrg.id, path: task.raisingOrg.path };
      const mayRecord =
        actor.userId === r.inspectorUserId ||
        (r.inspectorUserId === null && holdsRoleIn(actor, raising, SUPERVISING_ROLES)) ||
        holdsRoleIn(actor, raising, APPROVING_ROLES);
      if (!mayRecord) {
        throw forbidden('无权登记复查结果：须为指派的复查人，或立项党组织的书记、副书记');
      }
      if (r.state !== 'pending') {
        throw new DomainError(
          'conflict',
          `该回头看已登记结果（${r.state}），不能重复登记`,
          'outcome',
          undefined,
          'already_recorded',
        );
      }
      const { outcome, note, attachmentIds } = await this.checkResult(m, body);
      if (outcome === 'relapsed') {
        const newDueAt = resolveOffset(
          now,
          { workingDays: RELAPSE_DEADLINE_WORKING_DAYS },
          this.calendar,
          task.timeZone,
        );
        await this.tasks.reopenWithin(m, actor, r.taskId, `回头看发现问题反弹：${note}`, newDueAt);
        await this.problems.countRecurrenceOfTask(m, r.taskId);
      }
      await this.repo.saveResult(m, id, {
        state: outcome,
        note,
        attachmentIds,
        by: actor.userId,
        at: now,
      });
      await this.audit.append(m, [
        {
          streamType: 'task',
          streamId: r.taskId,
          at: now,
          actorId: actor.userId,
          type: 'reinspected',
          data: { reinspectionId: id, outcome, note, attachmentIds },
        },
      ]);
      if (outcome === 'relapsed') {
        // 负面清单: a relapse found by 回头看 lists the unit.
        await this.negativeList.enlist(
          m,
          [
            {
              subjectType: 'org',
              subjectId: r.responsibleOrgId,
              orgId: r.responsibleOrgId,
              raisingOrgId: r.raisingOrgId,
              kind: 'relapse',
              ref: id,
            },
          ],
          now,
        );
      }
      return this.repo.lockInScope(m, actor, id, now);
    });
  }

  private async checkResult(
    m: EntityManager,
    body: { outcome?: unknown; note?: unknown; attachmentIds?: unknown },
  ): Promise<{ outcome: ReinspectionOutcome; note: string; attachmentIds: string[] }> {
    const errors: { field: string; message: string }[] = [];
    const { outcome, note, attachmentIds } = body ?? {};
    if (
      typeof outcome !== 'string' ||
      !(REINSPECTION_OUTCOMES as readonly string[]).includes(outcome)
    ) {
      errors.push({ field: 'outcome', message: 'outcome：须为 held（巩固）或 relapsed（反弹）' });
    }
    if (typeof note !== 'string' || note.trim() === '' || note.length > MAX_NOTE) {
      errors.push({ field: 'note', message: `note：须写明复查情况（1 至 ${MAX_NOTE} 字）` });
    }
    let ids: string[] = [];
    if (attachmentIds !== undefined) {
      if (
        !Array.isArray(attachmentIds) ||
        attachmentIds.length > 50 ||
        attachmentIds.some((a) => typeof a !== 'string' || !UUID.test(a))
      ) {
        errors.push({ field: 'attachmentIds', message: 'attachmentIds：须为附件 id 的数组' });
      } else {
        ids = [...new Set(attachmentIds as string[])];
        const known = await this.repo.existingAttachments(m, ids);
        ids.forEach((a, i) => {
          if (!known.has(a))
            errors.push({
              field: `attachmentIds[${i}]`,
              message: `attachmentIds[${i}]：附件不存在`,
            });
        });
      }
    }
    if (errors.length) throw new DomainError('invalid', errors[0].message, errors[0].field, errors);
    return {
      outcome: outcome as ReinspectionOutcome,
      note: (note as string).trim(),
      attachmentIds: ids,
    };
  }
}
