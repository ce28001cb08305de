import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventInput, AuditLog } from '#duban/audit';
import {
  type Audience,
  type AudienceContext,
  CASE_SUBJECTS,
  CIRCULATED_FROM_LEVEL,
  CLOCK,
  type Clock,
  type DueEffect,
  effectConsequences,
  type EffectConsequences,
  ladderMarks,
  ladderPass,
  onLadder,
  policyForSeverity,
  resolveAudiences,
  talkDueFor,
} from '#duban/domain';
import { NotificationsService, type NotificationInput } from '#duban/notifications';
import { CasesRepository } from '../accountability/cases.repository';
import { CalendarService } from '../calendar/calendar.service';
import { NegativeListService } from '../negative-list/negative-list.service';
import type { LadderTask } from '../tasks/task-engine-rows';
import { TasksRepository } from '../tasks/tasks.repository';
import { AudiencesRepository } from './audiences.repository';
import { EffectsRepository, effectId } from './effects.repository';
import { EscalationPolicyService } from './policy.service';

export { CIRCULATED_FROM_LEVEL, SUPERVISED_FROM_LEVEL } from '#duban/domain';

export interface LadderOutcome {
  applied: { key: string; kind: 'reminder' | 'step'; level: number | null; superseded: boolean }[];
  nextFireAt: Date | null;
}

/** An effect of one task that is due now and about to be applied. */
interface Planned {
  task: LadderTask;
  effect: DueEffect;
  consequences: EffectConsequences;
  recipients: string[];
  /** The audiences of the step that reached nobody (recorded, never silently dropped). */
  unreached: Audience[];
  /**
   * Of the recipients, those told by the case this step opens instead (discipline inspection
   * by accountability_opened, the subjects by case_opened_subject): one mail each, not two.
   */
  toldByCase: Set<string>;
}

/**
 * Who holds a role where, for resolving audiences without a query per task; `ancestors` maps
 * a raising org to itself and its ancestors, nearest first (for `discipline`).
 */
interface RoleIndex {
  holders: Map<string, string[]>;
  ancestors: Map<string, string[]>;
}
const roleKey = (orgId: string, role: string) => `${orgId}/${role}`;

/**
 * Applies the reminders and escalation steps that are due, for a batch of tasks in ONE
 * transaction holding their row locks, in a fixed number of set-based statements whatever the
 * batch size: the effect rows (UNIQUE (task_id, effect_key) — the exactly-once guard), the
 * notifications (an outbox), the levels, the accountability cases and the audit events. A job
 * that runs twice, or two workers on the same tasks, find the keys taken and change nothing.
 * What is due and what a step changes are the domain's rules (ladderPass, effectConsequences,
 * ladderMarks); this service reads, asks them, and writes through the repositories.
 */
@Injectable()
export class LadderService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly calendars: CalendarService,
    private readonly policies: EscalationPolicyService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditLog,
    private readonly negativeList: NegativeListService,
    private readonly tasks: TasksRepository,
    private readonly effects: EffectsRepository,
    private readonly cases: CasesRepository,
    private readonly audiences: AudiencesRepository,
  ) {}

  async processTask(taskId: string): Promise<LadderOutcome> {
    return (await this.processBatch([taskId])).get(taskId) ?? { applied: [], nextFireAt: null };
  }

  /** Processes a job's tasks; returns how many effects were applied. */
  async processTasks(taskIds: readonly string[]): Promise<number> {
    const outcomes = await this.processBatch(taskIds);
    return [...outcomes.values()].reduce((n, o) => n + o.applied.length, 0);
  }

  processBatch(taskIds: readonly string[]): Promise<Map<string, LadderOutcome>> {
    return this.db.transaction((m) => this.processBatchIn(m, taskIds));
  }

  /** One ladder pass over a batch of tasks, in the transaction of `m`. */
  async processBatchIn(
    m: EntityManager,
    taskIds: readonly string[],
  ): Promise<Map<string, LadderOutcome>> {
    const now = this.clock.now();
    const rows = await this.tasks.lockForLadder(m, taskIds);
    const active = rows.filter(onLadder);
    const applied = await this.effects.appliedKeys(
      m,
      active.map((t) => t.id),
    );

    // Plan every task: what is due now, and when its next item fires.
    const planned: Planned[] = [];
    const nextFire = new Map<string, Date | null>();
    const policies = await this.policies.effectiveMany(
      m,
      active.map((t) => t.raisingOrgPath),
    );
    for (const task of active) {
      const effective = policies.get(task.raisingOrgPath)!;
      const pass = ladderPass({
        dueAt: task.dueAt!,
        deadlineSetAt: task.deadlineSetAt,
        policy: policyForSeverity(effective.document, task.severity),
        policyUpdatedAt: effective.updatedAt,
        calendar: this.calendars.forOrgPath(task.responsibleOrgPath),
        timeZone: task.timeZone,
        applied: applied.get(task.id)!,
        now,
      });
      for (const effect of pass.due) {
        planned.push({
          task,
          effect,
          consequences: effectConsequences(effect),
          recipients: [],
          unreached: [],
          toldByCase: new Set(),
        });
      }
      nextFire.set(task.id, pass.nextFireAt);
    }

    // Audiences for every planned effect, from two queries for the whole batch.
    const roles = await this.roleIndex(m, active);
    for (const p of planned) {
      const resolved = this.resolve(p.task, p.consequences.audiences, roles);
      p.recipients = resolved.userIds;
      p.unreached = resolved.unreached;
      if (p.consequences.opensCase) {
        p.toldByCase = new Set([
          ...this.resolve(p.task, ['discipline'], roles).userIds,
          ...this.resolve(p.task, CASE_SUBJECTS, roles).userIds,
        ]);
      }
    }

    // The exactly-once guard: only the effects whose key this transaction inserted go on.
    const fresh = await this.effects.record(
      m,
      planned.map((p) => ({
        taskId: p.task.id,
        effectKey: p.effect.key,
        kind: p.effect.kind,
        level: p.effect.kind === 'step' ? p.effect.level : null,
        name: p.effect.kind === 'step' ? p.effect.name : null,
        deadline: p.task.dueAt,
        plannedAt: p.effect.firesAt,
        firedAt: now,
        superseded: p.effect.superseded,
        unreached: p.unreached,
        // 约谈: the 通报 step makes a talk due within 10 working days of it.
        talkDueBy: talkDueFor(
          p.effect,
          now,
          this.calendars.forOrgPath(p.task.responsibleOrgPath),
          p.task.timeZone,
        ),
      })),
    );
    const effects = planned.filter((p) => fresh.has(effectId(p.task.id, p.effect.key)));
    const live = effects.filter((p) => !p.effect.superseded);

    // Notifications (the outbox), set-based.
    const notified = (
      await this.notifications.notifyMany(
        m,
        live.map((p) => this.notice(p)),
        now,
      )
    ).map((users, i) => [
      ...new Set([...users, ...live[i].recipients.filter((u) => live[i].toldByCase.has(u))]),
    ]);
    await this.effects.setNotified(
      m,
      live.map((p, i) => ({ taskId: p.task.id, effectKey: p.effect.key, notified: notified[i] })),
    );

    // Levels, marks and the next timer of every task in the batch.
    const levels = new Map<string, number[]>();
    for (const p of live) {
      if (p.effect.kind === 'step')
        levels.set(p.task.id, [...(levels.get(p.task.id) ?? []), p.effect.level]);
    }
    await this.tasks.applyLadderPass(
      m,
      rows.map((t) => ({
        id: t.id,
        marks: ladderMarks(levels.get(t.id) ?? []),
        nextFireAt: nextFire.get(t.id) ?? null,
      })),
    );

    // The record, then the accountability cases the last steps open.
    const events: AuditEventInput[] = [];
    live.forEach((p, i) => events.push(...this.auditEvents(p, notified[i], now)));
    await this.audit.append(m, events);
    await this.openCases(
      m,
      live.filter((p) => p.consequences.opensCase),
      roles,
      now,
    );
    // 负面清单: a unit whose measures reached 通报 twice within a year is listed.
    await this.negativeList.afterCirculated(
      m,
      live
        .filter((p) => p.consequences.circulates)
        .map((p) => ({
          taskId: p.task.id,
          responsibleOrgId: p.task.responsibleOrgId,
          raisingOrgId: p.task.raisingOrgId,
        })),
      CIRCULATED_FROM_LEVEL,
      now,
    );

    const outcomes = new Map<string, LadderOutcome>();
    for (const t of rows)
      outcomes.set(t.id, { applied: [], nextFireAt: nextFire.get(t.id) ?? null });
    for (const p of effects) {
      outcomes.get(p.task.id)!.applied.push({
        key: p.effect.key,
        kind: p.effect.kind,
        level: p.effect.kind === 'step' ? p.effect.level : null,
        superseded: p.effect.superseded,
      });
    }
    return outcomes;
  }

  private notice(p: Planned): NotificationInput {
    const { task, effect } = p;
    const common = {
      taskId: task.id,
      taskMeasure: task.measure,
      timeZone: task.timeZone,
      problemTitle: task.problemTitle,
      orgName: task.responsibleOrgName,
      dueAt: task.dueAt!.toISOString(),
    };
    const dedupeKey = `task:${task.id}:${effect.key}`;
    // Notices of one kind (and step) about one problem to one person merge into one listing
    // the measures (减负): 120 measures due together are one urge, not 120.
    const tasks = [{ id: task.id, measure: task.measure, dueAt: common.dueAt }];
    if (effect.kind === 'reminder') {
      return {
        userIds: p.recipients,
        kind: 'reminder',
        dedupeKey,
        params: { ...common, tasks },
        orgId: task.responsibleOrgId,
        coalesceKey: `problem:${task.problemId}:reminder`,
      };
    }
    return {
      userIds: p.recipients.filter((u) => !p.toldByCase.has(u)),
      kind: 'escalation',
      dedupeKey,
      coalesceKey: `problem:${task.problemId}:step:${effect.level}`,
      params: { ...common, level: effect.level, stepName: effect.name, tasks },
      // From 督办 up, notices go out at once (no digest) and are chased until read.
      urgent: p.consequences.urgent,
      requiresAck: p.consequences.urgent,
      orgId: task.responsibleOrgId,
    };
  }

  private auditEvents(p: Planned, notified: string[], now: Date): AuditEventInput[] {
    const { task, effect } = p;
    if (effect.kind === 'reminder') {
      return [
        {
          streamType: 'task',
          streamId: task.id,
          at: now,
          actorId: null,
          type: 'reminded',
          data: { key: effect.key, notified },
        },
      ];
    }
    const escalated: AuditEventInput = {
      streamType: 'task',
      streamId: task.id,
      at: now,
      actorId: null,
      type: 'escalated',
      data: {
        key: effect.key,
        level: effect.level,
        name: effect.name,
        plannedAt: effect.firesAt,
        notified,
      },
    };
    if (p.consequences.circulates && task.leaderUserId) {
      // 约谈: a talk with the leader in charge is now due; people hold it, the record shows it.
      return [
        escalated,
        {
          ...escalated,
          type: 'talk_due',
          data: { level: effect.level, leaderUserId: task.leaderUserId },
        },
      ];
    }
    return [escalated];
  }

  /** 问责: the last step opens one case per task and deadline, and tells discipline inspection. */
  private async openCases(
    m: EntityManager,
    steps: Planned[],
    roles: RoleIndex,
    now: Date,
  ): Promise<void> {
    if (steps.length === 0) return;
    const cases = steps.map((p) => ({
      id: randomUUID(),
      p,
      subjects: this.resolve(p.task, CASE_SUBJECTS, roles).userIds,
    }));
    const openedIds = new Set(
      await this.cases.openOnce(
        m,
        cases.map((c) => ({
          id: c.id,
          taskId: c.p.task.id,
          key: c.p.effect.key,
          raisingOrg: { id: c.p.task.raisingOrgId, path: c.p.task.raisingOrgPath },
          subjectOrg: { id: c.p.task.responsibleOrgId, path: c.p.task.responsibleOrgPath },
          subjectUserIds: c.subjects,
          sourceSummary: null,
        })),
        now,
      ),
    );
    const fresh = cases.filter((c) => openedIds.has(c.id));
    // 负面清单: two accountability cases within 12 months list the unit and the people named.
    await this.negativeList.afterCasesOpened(
      m,
      fresh.map((c) => ({
        id: c.id,
        subjectOrgId: c.p.task.responsibleOrgId,
        subjectUserIds: c.subjects,
        raisingOrgId: c.p.task.raisingOrgId,
      })),
      now,
    );
    await this.audit.append(
      m,
      fresh.map((c) => ({
        streamType: 'accountability_case' as const,
        streamId: c.id,
        at: now,
        actorId: null,
        type: 'opened',
        toState: 'open',
        data: {
          taskId: c.p.task.id,
          subjectOrgId: c.p.task.responsibleOrgId,
          subjectUserIds: c.subjects,
        },
      })),
    );
    await this.notifications.notifyMany(
      m,
      fresh.map((c) => ({
        userIds: this.resolve(c.p.task, ['discipline'], roles).userIds,
        kind: 'accountability_opened' as const,
        dedupeKey: `case:${c.id}`,
        params: {
          caseId: c.id,
          taskId: c.p.task.id,
          taskMeasure: c.p.task.measure,
          orgName: c.p.task.responsibleOrgName,
          timeZone: c.p.task.timeZone,
          tasks: [{ id: c.p.task.id, measure: c.p.task.measure, caseId: c.id }],
        },
        // Cases of one problem opened together: one notice listing them.
        coalesceKey: `problem:${c.p.task.problemId}:case`,
        urgent: true,
        requiresAck: true,
        orgId: c.p.task.raisingOrgId,
      })),
      now,
    );
    // The people held to account are told at once, in a notice addressed to them.
    await this.notifications.notifyMany(
      m,
      fresh.map((c) => ({
        userIds: c.subjects,
        kind: 'case_opened_subject' as const,
        dedupeKey: `case:${c.id}:subject`,
        params: {
          caseId: c.id,
          taskId: c.p.task.id,
          taskMeasure: c.p.task.measure,
          orgName: c.p.task.responsibleOrgName,
          timeZone: c.p.task.timeZone,
          tasks: [{ id: c.p.task.id, measure: c.p.task.measure, caseId: c.id }],
        },
        coalesceKey: `problem:${c.p.task.problemId}:case`,
        urgent: true,
      })),
      now,
    );
  }

  /**
   * Role holders of the responsible orgs, their parents, the raising orgs and the raising orgs'
   * ancestors (discipline inspection resolves to the nearest org at or above the raising org).
   */
  private async roleIndex(m: EntityManager, tasks: LadderTask[]): Promise<RoleIndex> {
    const index: RoleIndex = { holders: new Map(), ancestors: new Map() };
    if (tasks.length === 0) return index;
    const ancestorsByPath = await this.audiences.ancestorsOf(m, [
      ...new Set(tasks.map((t) => t.raisingOrgPath)),
    ]);
    const orgs = new Set<string>();
    for (const t of tasks) {
      orgs.add(t.responsibleOrgId);
      orgs.add(t.raisingOrgId);
      if (t.responsibleParentId) orgs.add(t.responsibleParentId);
      const up = ancestorsByPath.get(t.raisingOrgPath) ?? [t.raisingOrgId];
      index.ancestors.set(t.raisingOrgId, up);
      up.forEach((o) => orgs.add(o));
    }
    for (const r of await this.audiences.roleHolders(m, [...orgs])) {
      const key = roleKey(r.orgId, r.role);
      const list = index.holders.get(key);
      if (list) list.push(r.userId);
      else index.holders.set(key, [r.userId]);
    }
    return index;
  }

  /** Who the audiences mean for this task, and which reach nobody (libs/domain audiences). */
  private resolve(task: LadderTask, audiences: readonly Audience[], roles: RoleIndex) {
    const ctx: AudienceContext = {
      responsibleUserId: task.responsibleUserId,
      leaderUserId: task.leaderUserId,
      responsibleOrgId: task.responsibleOrgId,
      responsibleParentId: task.responsibleParentId,
      raisingOrgId: task.raisingOrgId,
      raisingAncestorIds: roles.ancestors.get(task.raisingOrgId) ?? [task.raisingOrgId],
    };
    return resolveAudiences(
      audiences,
      ctx,
      (orgId, role) => roles.holders.get(roleKey(orgId, role)) ?? [],
    );
  }
}
