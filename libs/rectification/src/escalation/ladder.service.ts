import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventInput, AuditLog } from '#duban/audit';
import {
  type Audience,
  CLOCK,
  type Clock,
  dueEffects,
  type DueEffect,
  nextFiring,
  plannedTimeline,
  policyForSeverity,
  type ProblemSeverity,
  type WorkingDayCalendar,
} from '#duban/domain';
import { NotificationsService } from '#duban/notifications';
import { WORKING_DAY_CALENDAR } from '../tasks/calendar';
import { EscalationPolicyService } from './policy.service';

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
  responsible_user_id: string;
  leader_user_id: string | null;
  time_zone: string;
  severity: ProblemSeverity;
  problem_title: string;
}

export interface LadderOutcome {
  applied: { key: string; kind: 'reminder' | 'step'; level: number | null; superseded: boolean }[];
  nextFireAt: Date | null;
}

/**
 * Applies the reminders and escalation steps that are due for one task. Everything happens in
 * one transaction holding the task's row lock: the effect rows (UNIQUE (task_id, effect_key)),
 * the notifications (outbox), the level, the accountability case and the audit events. A job
 * that runs twice, or two workers on the same task, find the keys taken and change nothing.
 */
@Injectable()
export class LadderService {
  private readonly logger = new Logger(LadderService.name);

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKING_DAY_CALENDAR) private readonly calendar: WorkingDayCalendar,
    private readonly policies: EscalationPolicyService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Processes each task in its own transaction; one failing task does not hold up the rest.
   * If any failed, the job fails afterwards so BullMQ retries it (the tasks already done find
   * their keys taken and change nothing).
   */
  async processTasks(taskIds: readonly string[]): Promise<number> {
    let applied = 0;
    const failed: string[] = [];
    for (const id of taskIds) {
      try {
        applied += (await this.processTask(id)).applied.length;
      } catch (e) {
        failed.push(id);
        this.logger.error(`ladder for task ${id} failed: ${(e as Error).message}`);
      }
    }
    if (failed.length)
      throw new Error(`ladder failed for ${failed.length} task(s): ${failed.join(', ')}`);
    return applied;
  }

  async processTask(taskId: string): Promise<LadderOutcome> {
    return this.db.transaction(async (m) => {
      const now = this.clock.now();
      const rows: LadderRow[] = await m.query(
        `SELECT t.id, t.state, t.measure, t.due_at, t.deadline_set_at, t.escalation_level, t.raising_org_id,
                t.raising_org_path::text AS raising_org_path, t.responsible_org_id,
                t.responsible_org_path::text AS responsible_org_path, ro.name AS responsible_org_name,
                t.responsible_user_id, t.leader_user_id, ro.time_zone, p.severity, p.title AS problem_title
           FROM tasks t JOIN orgs ro ON ro.id = t.responsible_org_id JOIN problems p ON p.id = t.problem_id
          WHERE t.id = $1 FOR UPDATE OF t`,
        [taskId],
      );
      const task = rows[0];
      if (!task || task.due_at === null || !['assigned', 'in_progress'].includes(task.state)) {
        await m.query(`UPDATE tasks SET next_fire_at = NULL, claimed_until = NULL WHERE id = $1`, [
          taskId,
        ]);
        return { applied: [], nextFireAt: null };
      }
      const { document } = await this.policies.effective(m, task.raising_org_path);
      const policy = policyForSeverity(document, task.severity);
      const timeline = plannedTimeline(task.due_at, policy, this.calendar, task.time_zone);
      const done: { effect_key: string }[] = await m.query(
        `SELECT effect_key FROM task_effects WHERE task_id = $1`,
        [taskId],
      );
      const applied = new Set(done.map((d) => d.effect_key));
      const outcome: LadderOutcome['applied'] = [];
      for (const effect of dueEffects(timeline, applied, now)) {
        // A reminder planned before this deadline was even set (a short deadline) is stale.
        const stale =
          effect.kind === 'reminder' &&
          task.deadline_set_at !== null &&
          effect.firesAt.getTime() <= task.deadline_set_at.getTime();
        const superseded = effect.superseded || stale;
        const fired = await this.apply(m, task, effect, superseded, now);
        applied.add(effect.key);
        if (fired) {
          outcome.push({
            key: effect.key,
            kind: effect.kind,
            level: effect.kind === 'step' ? effect.level : null,
            superseded,
          });
        }
      }
      const nextFireAt = nextFiring(timeline, applied, now);
      await m.query(`UPDATE tasks SET next_fire_at = $2, claimed_until = NULL WHERE id = $1`, [
        taskId,
        nextFireAt,
      ]);
      return { applied: outcome, nextFireAt };
    });
  }

  /** Applies one effect once; false when its key was already taken (nothing happens then). */
  private async apply(
    m: EntityManager,
    task: LadderRow,
    effect: DueEffect,
    superseded: boolean,
    now: Date,
  ): Promise<boolean> {
    const audiences: readonly Audience[] = effect.kind === 'step' ? effect.notify : ['responsible'];
    const recipients = superseded ? [] : await this.recipients(m, task, audiences);
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO task_effects (task_id, effect_key, kind, level, name, deadline, planned_at, fired_at, superseded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (task_id, effect_key) DO NOTHING RETURNING id`,
      [
        task.id,
        effect.key,
        effect.kind,
        effect.kind === 'step' ? effect.level : null,
        effect.kind === 'step' ? effect.name : null,
        task.due_at,
        effect.firesAt,
        now,
        superseded,
      ],
    );
    if (inserted.length === 0) return false;
    if (superseded) return true;

    const dedupeKey = `task:${task.id}:${effect.key}`;
    const common = {
      taskId: task.id,
      taskMeasure: task.measure,
      timeZone: task.time_zone,
      problemTitle: task.problem_title,
      orgName: task.responsible_org_name,
      dueAt: task.due_at!.toISOString(),
    };
    let notified: string[];
    if (effect.kind === 'reminder') {
      notified = await this.notifications.notify(
        m,
        {
          userIds: recipients,
          kind: 'reminder',
          dedupeKey,
          params: common,
          orgId: task.responsible_org_id,
        },
        now,
      );
      await this.audit.append(m, [
        {
          streamType: 'task',
          streamId: task.id,
          at: now,
          actorId: null,
          type: 'reminded',
          data: { key: effect.key, notified },
        },
      ]);
    } else {
      notified = await this.notifications.notify(
        m,
        {
          userIds: recipients,
          kind: 'escalation',
          dedupeKey,
          params: { ...common, level: effect.level, stepName: effect.name },
          // From 督办 up, notices go out at once (no digest) and are chased until read.
          urgent: effect.level >= SUPERVISED_FROM_LEVEL,
          requiresAck: effect.level >= SUPERVISED_FROM_LEVEL,
          orgId: task.responsible_org_id,
        },
        now,
      );
      await m.query(
        `UPDATE tasks SET escalation_level = greatest(escalation_level, $2),
                supervised = supervised OR $2 >= ${SUPERVISED_FROM_LEVEL},
                circulated = circulated OR $2 >= ${CIRCULATED_FROM_LEVEL}
          WHERE id = $1`,
        [task.id, effect.level],
      );
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
      const events = [escalated];
      if (effect.level === CIRCULATED_FROM_LEVEL && task.leader_user_id) {
        // 约谈: a talk with the leader in charge is now due; people hold it, the record shows it.
        events.push({
          ...escalated,
          type: 'talk_due',
          data: { level: effect.level, leaderUserId: task.leader_user_id },
        });
      }
      await this.audit.append(m, events);
      if (effect.opensAccountabilityCase) await this.openCase(m, task, effect.key, now);
    }
    await m.query(`UPDATE task_effects SET notified = $3 WHERE task_id = $1 AND effect_key = $2`, [
      task.id,
      effect.key,
      notified,
    ]);
    return true;
  }

  /** 问责: the last step opens one case per task and deadline, and tells discipline inspection. */
  private async openCase(
    m: EntityManager,
    task: LadderRow,
    effectKey: string,
    now: Date,
  ): Promise<void> {
    const subjects = await this.recipients(m, task, ['responsible', 'leader', 'secretary']);
    const id = randomUUID();
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO accountability_cases (id, task_id, effect_key, raising_org_id, raising_org_path, subject_org_id,
          subject_org_path, subject_user_ids, opened_at, state)
       VALUES ($1, $2, $3, $4, $5::ltree, $6, $7::ltree, $8, $9, 'open')
       ON CONFLICT (task_id, effect_key) DO NOTHING RETURNING id`,
      [
        id,
        task.id,
        effectKey,
        task.raising_org_id,
        task.raising_org_path,
        task.responsible_org_id,
        task.responsible_org_path,
        subjects,
        now,
      ],
    );
    if (inserted.length === 0) return;
    await this.audit.append(m, [
      {
        streamType: 'accountability_case',
        streamId: id,
        at: now,
        actorId: null,
        type: 'opened',
        toState: 'open',
        data: { taskId: task.id, subjectOrgId: task.responsible_org_id, subjectUserIds: subjects },
      },
    ]);
    const discipline = await this.recipients(m, task, ['discipline']);
    await this.notifications.notify(
      m,
      {
        userIds: discipline,
        kind: 'accountability_opened',
        dedupeKey: `case:${id}`,
        params: {
          caseId: id,
          taskId: task.id,
          taskMeasure: task.measure,
          timeZone: task.time_zone,
          orgName: task.responsible_org_name,
        },
        urgent: true,
        requiresAck: true,
        orgId: task.raising_org_id,
      },
      now,
    );
  }

  /** Who an audience means for this task (API.md: escalation-policy audiences). */
  private async recipients(
    m: EntityManager,
    task: LadderRow,
    audiences: readonly Audience[],
  ): Promise<string[]> {
    const ids = new Set<string>();
    const roleHolders = async (orgSql: string, orgParam: string, role: string) => {
      const rows: { user_id: string }[] = await m.query(
        `SELECT DISTINCT ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.active
          WHERE ra.org_id = ${orgSql} AND ra.role = $2 ORDER BY ra.user_id`,
        [orgParam, role],
      );
      rows.forEach((r) => ids.add(r.user_id));
    };
    for (const audience of audiences) {
      switch (audience) {
        case 'responsible':
          ids.add(task.responsible_user_id);
          break;
        case 'leader':
          if (task.leader_user_id) ids.add(task.leader_user_id);
          break;
        case 'secretary':
          await roleHolders('$1', task.responsible_org_id, 'secretary');
          break;
        case 'superior':
          await roleHolders(
            '(SELECT parent_id FROM orgs WHERE id = $1)',
            task.responsible_org_id,
            'secretary',
          );
          break;
        case 'supervisor':
          await roleHolders('$1', task.raising_org_id, 'supervisor');
          break;
        case 'discipline':
          await roleHolders('$1', task.raising_org_id, 'discipline');
          break;
      }
    }
    return [...ids];
  }
}
