import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type DomainEvent,
  type NoticeRoleHolder,
  type TaskSnapshot,
  workflowNotices,
} from '#duban/domain';
import { NotificationsService, type NotificationInput } from '#duban/notifications';
import { WorkflowNoticesRepository } from './workflow-notices.repository';

/** What a notice says about the task besides the snapshot. */
export interface NoticeContext {
  problemId: string;
  problemTitle?: string;
  measure: string;
  timeZone: string;
}

/** The events whose notices need the role holders around the task (who may judge it). */
const NEEDS_HOLDERS: ReadonlySet<DomainEvent['type']> = new Set([
  'submitted',
  'verification_passed',
  'extension_requested',
]);

/**
 * Tells people when work lands on them (libs/domain workflowNotices), in the transaction of
 * the transition that caused it: the notice exists exactly when the transition committed.
 * Routine notices: held for each person's daily digest, and a burst of one kind about one
 * problem is merged into one notice listing the measures (coalesce key `problem:<id>`).
 */
@Injectable()
export class WorkflowNoticesService {
  constructor(
    private readonly repository: WorkflowNoticesRepository,
    private readonly notifications: NotificationsService,
  ) {}

  async afterEvents(
    m: EntityManager,
    task: TaskSnapshot,
    context: NoticeContext,
    events: readonly DomainEvent[],
    now: Date,
  ): Promise<void> {
    let holders: NoticeRoleHolder[] = [];
    if (events.some((e) => NEEDS_HOLDERS.has(e.type))) {
      holders = await this.repository.holders(m, task.raisingOrg.id, task.responsibleOrg.id);
    }
    const problemTitle =
      context.problemTitle ?? (await this.repository.problemTitle(m, context.problemId));
    const inputs: NotificationInput[] = [];
    for (const event of events) {
      for (const notice of workflowNotices(event, task, holders)) {
        inputs.push({
          userIds: [...notice.userIds],
          kind: notice.kind,
          dedupeKey: `task:${task.id}:${event.type}:v${task.version}`,
          coalesceKey: `problem:${context.problemId}`,
          taskIds: [task.id],
          params: {
            problemId: context.problemId,
            problemTitle: problemTitle || context.measure,
            timeZone: context.timeZone,
            tasks: [
              {
                id: task.id,
                measure: context.measure,
                dueAt: task.dueAt?.toISOString() ?? null,
                ...notice.detail,
              },
            ],
          },
        });
      }
    }
    if (inputs.length > 0) await this.notifications.notifyMany(m, inputs, now);
  }
}
