import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { notFound, type Actor, type TaskSnapshot } from '#duban/domain';
import { scopeCondition, scopeParams } from '#duban/persistence';
import { TASK_COLUMNS, TASK_FROM, toSnapshot, type TaskRow } from '../tasks/task-record';

export interface TalkRecord {
  id: string;
  taskId: string;
  heldOn: string;
  participantUserIds: string[];
  notes: string;
  recordedBy: string;
  recordedAt: string;
}

/** The 约谈 a task owes: from the latest 通报 step, and whether one was recorded since. */
export interface TalkDue {
  dueBy: Date;
  stepAt: Date;
  heldSinceStep: boolean;
}

interface TalkRow {
  id: string;
  task_id: string;
  held_on: string;
  participant_user_ids: string[];
  notes: string;
  recorded_by: string;
  recorded_at: Date;
}

const toRecord = (r: TalkRow): TalkRecord => ({
  id: r.id,
  taskId: r.task_id,
  heldOn: r.held_on,
  participantUserIds: r.participant_user_ids,
  notes: r.notes,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at.toISOString(),
});

const TALK_COLUMNS = `id, task_id, to_char(held_on, 'YYYY-MM-DD') AS held_on, participant_user_ids, notes,
  recorded_by, recorded_at`;

/** Every statement about talks (约谈); the only writer of task_talks. */
@Injectable()
export class TalksRepository {
  /** The task as the rules see it, if in the actor's scope (else 404). */
  async taskInScope(
    m: EntityManager,
    actor: Actor,
    taskId: string,
  ): Promise<TaskSnapshot & { timeZone: string }> {
    const rows: (TaskRow & { time_zone: string })[] = await m.query(
      `SELECT ${TASK_COLUMNS}, ro.time_zone FROM ${TASK_FROM}
        WHERE t.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}`,
      [taskId, ...scopeParams(actor)],
    );
    if (rows.length === 0) throw notFound(`任务 ${taskId} 不存在或不在你的范围内`, 'not_in_scope');
    return { ...toSnapshot(rows[0]), timeZone: rows[0].time_zone };
  }

  async existingUsers(m: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM users WHERE id = ANY($1::uuid[])`,
      [[...ids]],
    );
    return new Set(rows.map((r) => r.id));
  }

  async insert(m: EntityManager, talk: TalkRecord): Promise<TalkRecord> {
    const rows: TalkRow[] = await m.query(
      `INSERT INTO task_talks (id, task_id, held_on, participant_user_ids, notes, recorded_by, recorded_at)
       VALUES ($1, $2, $3::date, $4::uuid[], $5, $6, $7) RETURNING ${TALK_COLUMNS}`,
      [
        talk.id,
        talk.taskId,
        talk.heldOn,
        talk.participantUserIds,
        talk.notes,
        talk.recordedBy,
        talk.recordedAt,
      ],
    );
    return toRecord(rows[0]);
  }

  async listByTask(m: EntityManager, taskId: string): Promise<TalkRecord[]> {
    const rows: TalkRow[] = await m.query(
      `SELECT ${TALK_COLUMNS} FROM task_talks WHERE task_id = $1 ORDER BY recorded_at, id`,
      [taskId],
    );
    return rows.map(toRecord);
  }

  async due(m: EntityManager, taskId: string): Promise<TalkDue | null> {
    const rows: { talk_due_by: Date; fired_at: Date; held: boolean }[] = await m.query(
      `SELECT e.talk_due_by, e.fired_at,
              EXISTS (SELECT 1 FROM task_talks k WHERE k.task_id = e.task_id AND k.recorded_at >= e.fired_at) AS held
         FROM task_effects e
        WHERE e.task_id = $1 AND e.talk_due_by IS NOT NULL
        ORDER BY e.fired_at DESC, e.id DESC LIMIT 1`,
      [taskId],
    );
    if (rows.length === 0) return null;
    return { dueBy: rows[0].talk_due_by, stepAt: rows[0].fired_at, heldSinceStep: rows[0].held };
  }
}
