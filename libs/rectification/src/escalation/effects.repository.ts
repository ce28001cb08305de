import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A reminder or step applied to a task, as the ladder records it. */
export interface NewEffect {
  taskId: string;
  /** Unique per task: the exactly-once guard (see timelineKey). */
  effectKey: string;
  kind: 'reminder' | 'step';
  level: number | null;
  name: string | null;
  /** The deadline the effect belongs to. */
  deadline: Date | null;
  plannedAt: Date;
  firedAt: Date;
  superseded: boolean;
  /** The audiences that reached nobody. */
  unreached: readonly string[];
  talkDueBy: Date | null;
}

/** An escalation step a task reached, for its history. */
export interface StepRecord {
  level: number;
  name: string;
  firedAt: Date;
  plannedAt: Date;
  deadline: Date;
  notified: string[];
  unreached: string[];
  talkDueBy: Date | null;
}

/**
 * The only writer of `task_effects`: the reminders and steps the ladder applied, one row per
 * task and effect key (UNIQUE (task_id, effect_key) is the exactly-once guard). Every statement
 * is set-based, whatever the batch size.
 */
@Injectable()
export class EffectsRepository {
  /** The keys already applied, for each of the tasks (an empty set for a task without any). */
  async appliedKeys(
    m: EntityManager,
    taskIds: readonly string[],
  ): Promise<Map<string, Set<string>>> {
    const applied = new Map<string, Set<string>>(taskIds.map((id) => [id, new Set<string>()]));
    if (taskIds.length === 0) return applied;
    const rows: { task_id: string; effect_key: string }[] = await m.query(
      `SELECT task_id, effect_key FROM task_effects WHERE task_id = ANY($1::uuid[])`,
      [taskIds],
    );
    rows.forEach((r) => applied.get(r.task_id)?.add(r.effect_key));
    return applied;
  }

  /**
   * Records the effects whose key is not taken yet; returns those this statement inserted
   * (`${taskId} ${effectKey}`): only they go on to be applied.
   */
  async record(m: EntityManager, effects: readonly NewEffect[]): Promise<Set<string>> {
    if (effects.length === 0) return new Set();
    const inserted: { task_id: string; effect_key: string }[] = await m.query(
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
        effects.map((e) => e.taskId),
        effects.map((e) => e.effectKey),
        effects.map((e) => e.kind),
        effects.map((e) => e.level),
        effects.map((e) => e.name),
        effects.map((e) => e.deadline),
        effects.map((e) => e.plannedAt),
        effects.map((e) => e.firedAt),
        effects.map((e) => e.superseded),
        effects.map((e) => e.unreached.join(',')),
        effects.map((e) => e.talkDueBy),
      ],
    );
    return new Set(inserted.map((r) => effectId(r.task_id, r.effect_key)));
  }

  /** Who each applied effect told, set-based. */
  async setNotified(
    m: EntityManager,
    rows: readonly { taskId: string; effectKey: string; notified: readonly string[] }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `UPDATE task_effects e SET notified = x.notified
         FROM (SELECT task_id, effect_key, string_to_array(users, ',')::uuid[] AS notified
                 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(task_id, effect_key, users)) x
        WHERE e.task_id = x.task_id AND e.effect_key = x.effect_key`,
      [
        rows.map((r) => r.taskId),
        rows.map((r) => r.effectKey),
        rows.map((r) => r.notified.join(',')),
      ],
    );
  }

  /** The escalation steps a task reached, oldest first (the caller checks the task's scope). */
  async stepsOf(m: EntityManager, taskId: string): Promise<StepRecord[]> {
    const rows: {
      level: number;
      name: string;
      fired_at: Date;
      planned_at: Date;
      deadline: Date;
      notified: string[];
      unreached: string[];
      talk_due_by: Date | null;
    }[] = await m.query(
      `SELECT level, name, fired_at, planned_at, deadline, notified, unreached, talk_due_by FROM task_effects
          WHERE task_id = $1 AND kind = 'step' ORDER BY fired_at, id`,
      [taskId],
    );
    return rows.map((r) => ({
      level: r.level,
      name: r.name,
      firedAt: r.fired_at,
      plannedAt: r.planned_at,
      deadline: r.deadline,
      notified: r.notified,
      unreached: r.unreached,
      talkDueBy: r.talk_due_by,
    }));
  }
}

/** How record() names an effect it inserted. */
export const effectId = (taskId: string, effectKey: string): string => `${taskId} ${effectKey}`;
