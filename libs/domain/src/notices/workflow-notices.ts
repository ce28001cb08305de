import { Actor, OrgRef, Role } from '../access/roles';
import { taskConflict, type TaskParties } from '../lifecycle/conflicts';
import { APPROVING_ROLES } from '../lifecycle/permissions';
import type { DomainEvent } from '../lifecycle/task';

/**
 * Workflow notices (工作提醒): who is told when work lands on them, as pure functions of the
 * event and of the role holders around the task. The service loads the holders, asks here, and
 * writes the notices in the transaction of the transition (exactly once with it).
 */

export const WORKFLOW_NOTICE_KINDS = [
  'task_assigned',
  'task_returned',
  'task_submitted',
  'task_verified',
  'extension_requested',
  'extension_decided',
] as const;
export type WorkflowNoticeKind = (typeof WORKFLOW_NOTICE_KINDS)[number];

/** A role held by someone, on the raising org's path or in the responsible org. */
export interface NoticeRoleHolder {
  readonly userId: string;
  readonly org: OrgRef;
  readonly role: Role;
}

/** The task as the notice rule reads it (after the transition). */
export interface NoticeTask extends TaskParties {
  readonly raisingOrg: OrgRef;
  readonly leaderUserId: string | null;
  readonly lastVerifiedBy: string | null;
}

export interface WorkflowNotice {
  readonly kind: WorkflowNoticeKind;
  readonly userIds: readonly string[];
  /** What the reader needs beyond the task: the reason of a return or an extension, a decision. */
  readonly detail: Readonly<Record<string, string | boolean | null>>;
}

/** Who verifies (验收): the supervisors (督查员) of the raising org, else of the nearest org above. */
export const VERIFYING_ROLES: readonly Role[] = ['supervisor'];

function actorOf(userId: string, holders: readonly NoticeRoleHolder[]): Actor {
  return {
    userId,
    systemAdmin: false,
    grants: holders.filter((h) => h.userId === userId).map((h) => ({ org: h.org, role: h.role })),
  };
}

/**
 * The people expected to judge a task (verify or close it): holders of `roles` at the raising
 * org who are free of conflict (taskConflict) and not excluded; when nobody there is, those of
 * the nearest org above it that has someone. Empty when nobody is left up the tree. Only one
 * level is told, so a province's supervisors are not told of every branch's submission.
 */
export function taskJudges(
  task: NoticeTask,
  holders: readonly NoticeRoleHolder[],
  roles: readonly Role[],
  exclude: readonly string[] = [],
): string[] {
  const free = (userId: string) =>
    !exclude.includes(userId) && taskConflict(actorOf(userId, holders), task) === null;
  for (const orgId of [...task.raisingOrg.path].reverse()) {
    const here = [
      ...new Set(
        holders.filter((h) => h.org.id === orgId && roles.includes(h.role)).map((h) => h.userId),
      ),
    ].filter(free);
    if (here.length > 0) return here.sort();
  }
  return [];
}

/**
 * The notices one event of a task's lifecycle gives, never to the person who acted:
 * assigned → the responsible person and the leader in charge; returned after a failed
 * verification → the responsible person, with the reason; submitted → those who may verify;
 * verified → those who may close (not the verifier); extension requested → its approvers;
 * decided → the requester.
 */
export function workflowNotices(
  event: DomainEvent,
  task: NoticeTask,
  holders: readonly NoticeRoleHolder[],
): WorkflowNotice[] {
  const notice = (
    kind: WorkflowNoticeKind,
    userIds: readonly (string | null)[],
    detail: WorkflowNotice['detail'] = {},
  ): WorkflowNotice[] => {
    const people = [
      ...new Set(userIds.filter((u): u is string => u !== null && u !== event.actorId)),
    ];
    return people.length > 0 ? [{ kind, userIds: people, detail }] : [];
  };
  switch (event.type) {
    case 'assigned':
      return notice('task_assigned', [task.responsibleUserId, task.leaderUserId]);
    case 'verification_failed':
      return notice('task_returned', [task.responsibleUserId], { reason: event.data.comment });
    case 'submitted':
      return notice('task_submitted', taskJudges(task, holders, VERIFYING_ROLES));
    case 'verification_passed':
      return notice(
        'task_verified',
        taskJudges(task, holders, APPROVING_ROLES, [task.lastVerifiedBy ?? event.actorId]),
      );
    case 'extension_requested':
      return notice('extension_requested', taskJudges(task, holders, APPROVING_ROLES), {
        reason: event.data.reason,
        newDueAt: event.data.requestedDueAt.toISOString(),
      });
    case 'extension_approved':
      return notice('extension_decided', [event.data.requestedBy], {
        approved: true,
        comment: event.data.comment,
        newDueAt: event.data.newDueAt.toISOString(),
      });
    case 'extension_rejected':
      return notice('extension_decided', [event.data.requestedBy], {
        approved: false,
        comment: event.data.comment,
      });
    default:
      return [];
  }
}
