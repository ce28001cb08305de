import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditLog } from '#duban/audit';
import {
  type Actor,
  CLOCK,
  type Clock,
  DomainError,
  forbidden,
  localDateOf,
  mayApproveForTask,
  maySuperviseTask,
  talkState,
  type TalkState,
} from '#duban/domain';
import { TalkRecord, TalksRepository } from './talks.repository';

export interface NewTalk {
  heldOn: string;
  participantUserIds: string[];
  notes: string;
}

export interface TalkStatus {
  state: TalkState;
  /** The 约谈 must be recorded by then (10 working days after the 通报 step). */
  dueBy: string | null;
  stepAt: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_NOTES = 4000;
const MAX_PARTICIPANTS = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * 约谈: the talk the 通报 step makes due is recorded here by the supervising side (the raising
 * org's secretary, deputy or supervisor, or one above the responsible org). A task's talk is
 * `due` from the step, `overdue` 10 working days later while none is recorded, `held` after.
 */
@Injectable()
export class TalksService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly repo: TalksRepository,
    private readonly audit: AuditLog,
  ) {}

  async record(actor: Actor, taskId: string, input: NewTalk): Promise<TalkRecord> {
    return this.db.transaction(async (m) => {
      const task = await this.repo.taskInScope(m, actor, taskId);
      if (!maySuperviseTask(actor, task) && !mayApproveForTask(actor, task)) {
        throw forbidden(
          '无权记录约谈：须由立项党组织或责任单位上级的书记、副书记或督查员记录',
          'forbidden',
        );
      }
      const now = this.clock.now();
      const errors = this.check(input, localDateOf(now, task.timeZone));
      if (errors.length === 0) {
        const known = await this.repo.existingUsers(m, input.participantUserIds);
        input.participantUserIds.forEach((id, i) => {
          if (!known.has(id))
            errors.push({
              field: `participantUserIds[${i}]`,
              message: `participantUserIds[${i}]：用户 ${id} 不存在`,
            });
        });
      }
      if (errors.length > 0) {
        throw new DomainError('invalid', errors[0].message, errors[0].field, errors);
      }
      const talk = await this.repo.insert(m, {
        id: randomUUID(),
        taskId,
        heldOn: input.heldOn,
        participantUserIds: [...new Set(input.participantUserIds)],
        notes: input.notes.trim(),
        recordedBy: actor.userId,
        recordedAt: now.toISOString(),
      });
      await this.audit.append(m, [
        {
          streamType: 'task',
          streamId: taskId,
          at: now,
          actorId: actor.userId,
          type: 'talk_held',
          data: {
            talkId: talk.id,
            heldOn: talk.heldOn,
            participantUserIds: talk.participantUserIds,
          },
        },
      ]);
      return talk;
    });
  }

  async list(actor: Actor, taskId: string): Promise<TalkRecord[]> {
    await this.repo.taskInScope(this.db.manager, actor, taskId);
    return this.repo.listByTask(this.db.manager, taskId);
  }

  /** The talk state of a task the caller has already been allowed to see. */
  async status(taskId: string): Promise<TalkStatus> {
    const due = await this.repo.due(this.db.manager, taskId);
    return {
      state: talkState(due?.dueBy ?? null, due?.heldSinceStep ?? false, this.clock.now()),
      dueBy: due?.dueBy.toISOString() ?? null,
      stepAt: due?.stepAt.toISOString() ?? null,
    };
  }

  private check(input: NewTalk, today: string): { field: string; message: string }[] {
    const errors: { field: string; message: string }[] = [];
    const heldOn: unknown = input?.heldOn;
    if (typeof heldOn !== 'string' || !DATE.test(heldOn) || Number.isNaN(Date.parse(heldOn))) {
      errors.push({ field: 'heldOn', message: 'heldOn：须为约谈日期，格式 YYYY-MM-DD' });
    } else if (heldOn > today) {
      errors.push({ field: 'heldOn', message: 'heldOn：约谈日期不能晚于今天' });
    }
    const ids: unknown = input?.participantUserIds;
    if (
      !Array.isArray(ids) ||
      ids.length === 0 ||
      ids.length > MAX_PARTICIPANTS ||
      ids.some((id) => typeof id !== 'string' || !UUID.test(id))
    ) {
      errors.push({
        field: 'participantUserIds',
        message: `participantUserIds：须列出 1 至 ${MAX_PARTICIPANTS} 名参加约谈的用户（uuid）`,
      });
    }
    const notes: unknown = input?.notes;
    if (typeof notes !== 'string' || notes.trim() === '' || notes.length > MAX_NOTES) {
      errors.push({ field: 'notes', message: `notes：须填写约谈记录（1 至 ${MAX_NOTES} 字）` });
    }
    return errors;
  }
}
