import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventInput, AuditLog } from '#duban/audit';
import {
  type Audience,
  type AudienceContext,
  CLOCK,
  type Clock,
  dueEffects,
  type DueEffect,
  nextFiring,
  plannedTimeline,
  policyForSeverity,
  type ProblemSeverity,
  resolveAudiences,
  talkDueBy,
} from '#duban/domain';
import { NotificationsService, type NotificationInput } from '#duban/notifications';
import { CalendarService } from '../calendar/calendar.service';
import { NegativeListService } from '../negative-list/negative-list.service';
import { EscalationPolicyService } from './policy.service';

/** Who an accountability case is about (its subjects). */
const CASE_SUBJECTS: readonly Audience[] = ['responsible', 'leader', 'secretary'];

/** From this level on the task is 挂牌督办 (formally supervised). */
export const SUPERVISED_FROM_LEVEL = 2;
/** From this level on the task is named in the quarter's circulated notice (通报). */
export const CIRCULATED_FROM_LEVEL = 3;

interface LadderRow {
  id: string;
  state: string;
  measure: string;
  due_at: Date | null;
  deadline_set_at: Date | null;
  escalation_level: number;
  raising_org_id: string;
  raising_org_path: string;
  responsible_org_id: string;
  responsible_org_path: string;
  responsible_org_name: string;
  responsible_parent_id: string | null;
  responsible_user_id: string;
  leader_user_id: string | null;
  time_zone: string;
  severity: ProblemSeverity;
  problem_id: string;
  problem_title: string;
}

export interface LadderOutcome {
  applied: { key: string; kind: 'reminder' | 'step'; level: number | null; superseded: boolean }[];
  nextFireAt: Date | null;
}

/** An effect of one task that is due now and about to be applied. */
interface Planned {
  task: LadderRow;
  effect: DueEffect;
  superseded: boolean;
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
  ) {}

  async processTask(taskId: string): Promise<LadderOutcome> {
    return (await this.processBatch([taskId])).get(taskId) ?? { applied: [], nextFireAt: null };
  }

  /** Processes a job's tasks; returns how many effects were applied. */
  async processTasks(taskIds: readonly string[]): Promise<number> {
    const outcomes = await this.processBatch(taskIds);
    return [...outcomes.values()].reduce((n, o) => n + o.applied.length, 0);
  }

  async processBatch(taskIds: readonly string[]): Promise<Map<string, LadderOutcome>> {
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      // Locks in id order, so two batches that share tasks cannot deadlock.
      const rows: LadderRow[] = await m.query(
        `SELECT t.id, t.state, t.measure, t.due_at, t.deadline_set_at, t.escalation_level, t.raising_org_id,
                t.raising_org_path::text AS raising_org_path, t.responsible_org_id,
                t.responsible_org_path::text AS responsible_org_path, ro.name AS responsible_org_name,
                ro.parent_id AS responsible_parent_id, t.responsible_user_id, t.leader_user_id, ro.time_zone,
                p.severity, p.id AS problem_id, p.title AS problem_title
           FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id JOIN problems p ON p.id = t.problem_id
          WHERE t.id = ANY($1::uuid[]) ORDER BY t.id FOR UPDATE OF t`,
        [[...new Set(taskIds)]],
      );
      const active = rows.filter(
        (t) => t.due_at !== null && (t.state === 'assigned' || t.state === 'in_progress'),
      );
      const appliedRows: { task_id: string; effect_key: string }[] = active.length
        ? await m.query(
            `SELECT task_id, effect_key FROM task_effects WHERE task_id = ANY($1::uuid[])`,
            [active.map((t) => t.id)],
          )
        : [];
      const applied = new Map<string, Set<string>>(active.map((t) => [t.id, new Set<string>()]));
      appliedRows.forEach((r) => applied.get(r.task_id)?.add(r.effect_key));

      // Plan every task: what is due now, and when its next item fires.
      const planned: Planned[] = [];
      const nextFire = new Map<string, Date | null>();
      const policies = await this.policies.effectiveMany(
        m,
        active.map((t) => t.raising_org_path),
      );
      for (const task of active) {
        const effective = policies.get(task.raising_org_path)!;
        const policy = policyForSeverity(effective.document, task.severity);
        // The responsible org's calendar: national plus its own and its ancestors' overrides.
        const calendar = this.calendars.forOrgPath(task.responsible_org_path);
        const timeline = plannedTimeline(task.due_at!, policy, calendar, task.time_zone);
        const done = applied.get(task.id)!;
        // The plan exists since its deadline was set and its policy last changed: reminders
        // whose moment came before that are skipped, never sent late.
        const plannedSince = latest(task.deadline_set_at, effective.updatedAt);
        for (const effect of dueEffects(timeline, done, now, plannedSince)) {
          planned.push({
            task,
            effect,
            superseded: effect.superseded,
            recipients: [],
            unreached: [],
            toldByCase: new Set(),
          });
          done.add(effect.key);
        }
        nextFire.set(task.id, nextFiring(timeline, done, now));
      }

      // Audiences for every planned effect, from two queries for the whole batch.
      const roles = await this.roleIndex(m, active);
      for (const p of planned) {
        if (p.superseded) continue;
        const audiences: readonly Audience[] =
          p.effect.kind === 'step' ? p.effect.notify : ['responsible'];
        const resolved = this.resolve(p.task, audiences, roles);
        p.recipients = resolved.userIds;
        p.unreached = resolved.unreached;
        if (p.effect.kind === 'step' && p.effect.opensAccountabilityCase) {
          p.toldByCase = new Set([
            ...this.resolve(p.task, ['discipline'], roles).userIds,
            ...this.resolve(p.task, CASE_SUBJECTS, roles).userIds,
          ]);
        }
      }

      // The exactly-once guard: only the effects whose key this transaction inserted go on.
      const inserted: { task_id: string; effect_key: string }[] = planned.length
        ? await m.query(
            `INSERT INTO task_effects (task_id, effect_key, kind, level, name, deadline, planned_at, fired_at,
                superseded, unreached, talk_due_by)
             SELECT x.task_id, x.effect_key, x.kind, x.level, x.name, x.deadline, x.planned_at, x.fired_at,
                    x.superseded, CASE WHEN x.unreached = '' THEN '{}'::text[] ELSE string_to_array(x.unreached, ',') END,
                    x.talk_due_by
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[],
                                  $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::text[], $11::timestamptz[])
                 AS x(task_id, effect_key, kind, level, name, deadline, planned_at, fired_at, superseded,
                      unreached, talk_due_by)
             ON CONFLICT (task_id, effect_key) DO NOTHING
             RETURNING task_id, effect_key`,
            [
              planned.map((p) => p.task.id),
              planned.map((p) => p.effect.key),
              planned.map((p) => p.effect.kind),
              planned.map((p) => (p.effect.kind === 'step' ? p.effect.level : null)),
              planned.map((p) => (p.effect.kind === 'step' ? p.effect.name : null)),
              planned.map((p) => p.task.due_at),
              planned.map((p) => p.effect.firesAt),
              planned.map(() => now),
              planned.map((p) => p.superseded),
              planned.map((p) => p.unreached.join(',')),
              // 约谈: the 通报 step makes a talk due within 10 working days of it.
              planned.map((p) =>
                p.effect.kind === 'step' &&
                p.effect.level === CIRCULATED_FROM_LEVEL &&
                !p.superseded
                  ? talkDueBy(
                      now,
                      this.calendars.forOrgPath(p.task.responsible_org_path),
                      p.task.time_zone,
                    )
                  : null,
              ),
            ],
          )
        : [];
      const fresh = new Set(inserted.map((r) => `${r.task_id} ${r.effect_key}`));
      const effects = planned.filter((p) => fresh.has(`${p.task.id} ${p.effect.key}`));
      const live = effects.filter((p) => !p.superseded);

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
      if (live.length) {
        await m.query(
          `UPDATE task_effects e SET notified = x.notified
             FROM (SELECT task_id, effect_key, string_to_array(users, ',')::uuid[] AS notified
                     FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(task_id, effect_key, users)) x
            WHERE e.task_id = x.task_id AND e.effect_key = x.effect_key`,
          [
            live.map((p) => p.task.id),
            live.map((p) => p.effect.key),
            notified.map((n) => n.join(',')),
          ],
        );
      }

      // Levels, marks and the next timer of every task in the batch.
      const levelOf = new Map<string, number>();
      for (const p of live) {
        if (p.effect.kind === 'step')
          levelOf.set(p.task.id, Math.max(levelOf.get(p.task.id) ?? 0, p.effect.level));
      }
      if (rows.length) {
        await m.query(
          `UPDATE tasks t SET escalation_level = greatest(t.escalation_level, x.level),
                  supervised = t.supervised OR x.level >= ${SUPERVISED_FROM_LEVEL},
                  circulated = t.circulated OR x.level >= ${CIRCULATED_FROM_LEVEL},
                  next_fire_at = x.next_fire_at, claimed_until = NULL
             FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) AS x(id, level, next_fire_at)
            WHERE t.id = x.id`,
          [
            rows.map((t) => t.id),
            rows.map((t) => levelOf.get(t.id) ?? 0),
            rows.map((t) => nextFire.get(t.id) ?? null),
          ],
        );
      }

      // The record, then the accountability cases the last steps open.
      const events: AuditEventInput[] = [];
      live.forEach((p, i) => events.push(...this.auditEvents(p, notified[i], now)));
      await this.audit.append(m, events);
      await this.openCases(
        m,
        live.filter((p) => p.effect.kind === 'step' && p.effect.opensAccountabilityCase),
        roles,
        now,
      );
      // 负面清单: a unit whose measures reached 通报 twice within a year is listed.
      await this.negativeList.afterCirculated(
        m,
        live
          .filter((p) => p.effect.kind === 'step' && p.effect.level === CIRCULATED_FROM_LEVEL)
          .map((p) => ({
            taskId: p.task.id,
            responsibleOrgId: p.task.responsible_org_id,
            raisingOrgId: p.task.raising_org_id,
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
          superseded: p.superseded,
        });
      }
      return outcomes;
    });
  }

  private notice(p: Planned): NotificationInput {
    const { task, effect } = p;
    const common = {
      taskId: task.id,
      taskMeasure: task.measure,
      timeZone: task.time_zone,
      problemTitle: task.problem_title,
      orgName: task.responsible_org_name,
      dueAt: task.due_at!.toISOString(),
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
        orgId: task.responsible_org_id,
        coalesceKey: `problem:${task.problem_id}:reminder`,
      };
    }
    return {
      userIds: p.recipients.filter((u) => !p.toldByCase.has(u)),
      kind: 'escalation',
      dedupeKey,
      coalesceKey: `problem:${task.problem_id}:step:${effect.level}`,
      params: { ...common, level: effect.level, stepName: effect.name, tasks },
      // From 督办 up, notices go out at once (no digest) and are chased until read.
      urgent: effect.level >= SUPERVISED_FROM_LEVEL,
      requiresAck: effect.level >= SUPERVISED_FROM_LEVEL,
      orgId: task.responsible_org_id,
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
    if (effect.level === CIRCULATED_FROM_LEVEL && task.leader_user_id) {
      // 约谈: a talk with the leader in charge is now due; people hold it, the record shows it.
      return [
        escalated,
        {
          ...escalated,
          type: 'talk_due',
          data: { level: effect.level, leaderUserId: task.leader_user_id },
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
    const opened: { id: string }[] = await m.query(
      `INSERT INTO accountability_cases (id, task_id, effect_key, raising_org_id, raising_org_path, subject_org_id,
          subject_org_path, subject_user_ids, opened_at, state)
       SELECT id, task_id, effect_key, raising_org_id, raising_org_path::ltree, subject_org_id,
              subject_org_path::ltree, string_to_array(subjects, ',')::uuid[], $9, 'open'
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::text[])
           AS x(id, task_id, effect_key, raising_org_id, raising_org_path, subject_org_id, subject_org_path, subjects)
       ON CONFLICT (task_id, effect_key) DO NOTHING RETURNING id`,
      [
        cases.map((c) => c.id),
        cases.map((c) => c.p.task.id),
        cases.map((c) => c.p.effect.key),
        cases.map((c) => c.p.task.raising_org_id),
        cases.map((c) => c.p.task.raising_org_path),
        cases.map((c) => c.p.task.responsible_org_id),
        cases.map((c) => c.p.task.responsible_org_path),
        cases.map((c) => c.subjects.join(',')),
        now,
      ],
    );
    const openedIds = new Set(opened.map((o) => o.id));
    const fresh = cases.filter((c) => openedIds.has(c.id));
    // 负面清单: two accountability cases within 12 months list the unit and the people named.
    await this.negativeList.afterCasesOpened(
      m,
      fresh.map((c) => ({
        id: c.id,
        subjectOrgId: c.p.task.responsible_org_id,
        subjectUserIds: c.subjects,
        raisingOrgId: c.p.task.raising_org_id,
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
          subjectOrgId: c.p.task.responsible_org_id,
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
          orgName: c.p.task.responsible_org_name,
          timeZone: c.p.task.time_zone,
          tasks: [{ id: c.p.task.id, measure: c.p.task.measure, caseId: c.id }],
        },
        // Cases of one problem opened together: one notice listing them.
        coalesceKey: `problem:${c.p.task.problem_id}:case`,
        urgent: true,
        requiresAck: true,
        orgId: c.p.task.raising_org_id,
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
          orgName: c.p.task.responsible_org_name,
          timeZone: c.p.task.time_zone,
          tasks: [{ id: c.p.task.id, measure: c.p.task.measure, caseId: c.id }],
        },
        coalesceKey: `problem:${c.p.task.problem_id}:case`,
        urgent: true,
      })),
      now,
    );
  }

  /**
   * Role holders of the responsible orgs, their parents, the raising orgs and the raising orgs'
   * ancestors (discipline inspection resolves to the nearest org at or above the raising org).
   */
  private async roleIndex(m: EntityManager, tasks: LadderRow[]): Promise<RoleIndex> {
    const index: RoleIndex = { holders: new Map(), ancestors: new Map() };
    if (tasks.length === 0) return index;
    const raisingPaths = [...new Set(tasks.map((t) => t.raising_org_path))];
    const chain: { raising_path: string; id: string }[] = await m.query(
      `SELECT r.path AS raising_path, o.id
         FROM unnest($1::text[]) AS r(path) JOIN orgs o ON o.path @> r.path::ltree
        ORDER BY r.path, nlevel(o.path) DESC`,
      [raisingPaths],
    );
    const ancestorsByPath = new Map<string, string[]>();
    for (const c of chain)
      ancestorsByPath.set(c.raising_path, [...(ancestorsByPath.get(c.raising_path) ?? []), c.id]);
    const orgs = new Set<string>();
    for (const t of tasks) {
      orgs.add(t.responsible_org_id);
      orgs.add(t.raising_org_id);
      if (t.responsible_parent_id) orgs.add(t.responsible_parent_id);
      const up = ancestorsByPath.get(t.raising_org_path) ?? [t.raising_org_id];
      index.ancestors.set(t.raising_org_id, up);
      up.forEach((o) => orgs.add(o));
    }
    const rows: { org_id: string; role: string; user_id: string }[] = await m.query(
      `SELECT ra.org_id, ra.role, ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.active
        WHERE ra.org_id = ANY($1::uuid[]) AND ra.revoked_at IS NULL
          AND ra.role IN ('secretary', 'supervisor', 'discipline')
        ORDER BY ra.user_id`,
      [[...orgs]],
    );
    for (const r of rows) {
      const key = roleKey(r.org_id, r.role);
      index.holders.set(key, [...(index.holders.get(key) ?? []), r.user_id]);
    }
    return index;
  }

  /** Who the audiences mean for this task, and which reach nobody (libs/domain audiences). */
  private resolve(task: LadderRow, audiences: readonly Audience[], roles: RoleIndex) {
    const ctx: AudienceContext = {
      responsibleUserId: task.responsible_user_id,
      leaderUserId: task.leader_user_id,
      responsibleOrgId: task.responsible_org_id,
      responsibleParentId: task.responsible_parent_id,
      raisingOrgId: task.raising_org_id,
      raisingAncestorIds: roles.ancestors.get(task.raising_org_id) ?? [task.raising_org_id],
    };
    return resolveAudiences(
      audiences,
      ctx,
      (orgId, role) => roles.holders.get(roleKey(orgId, role)) ?? [],
    );
  }
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a.getTime() >= b.getTime() ? a : b;
}
