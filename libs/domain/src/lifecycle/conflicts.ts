import { holdsRoleOver, isWithin } from '../access/org-access';
import { Actor, OrgRef, ROLES, Role } from '../access/roles';
import { holdsRoleIn } from './permissions';
import { DomainEventType, TaskSnapshot } from './task';

/**
 * Conflicts of interest (回避): nobody judges work they did or work of an org they belong to,
 * and nobody decides a case against themselves or their own org. One pure function per rule,
 * used by every path that acts on them (single commands, the bulk approval, the actions the
 * UI is offered). A refusal carries the stable code `conflict_of_interest` and says why in
 * Chinese.
 */

export const CONFLICT_OF_INTEREST = 'conflict_of_interest';

/**
 * The events that make their actor a party to a task's rectification: accepting it, reporting
 * progress, submitting it, asking for an extension. Their actors make up `TaskSnapshot.actedBy`.
 */
export const ACTING_EVENT_TYPES: readonly DomainEventType[] = [
  'accepted',
  'progress_reported',
  'submitted',
  'extension_requested',
];

/** The part of a task the conflict rule reads. */
export type TaskParties = Pick<
  TaskSnapshot,
  'responsibleUserId' | 'responsibleOrg' | 'actedBy' | 'lastSubmittedBy'
>;

/**
 * Why this person may not judge this task (verify 验收, close 销号, check 督查), or null when
 * nothing ties them to it: they are its responsible person, they acted on it (accepted,
 * reported progress, submitted, asked for an extension — ever, in any round), or they hold any
 * role in its responsible org.
 */
export function taskConflict(actor: Actor, task: TaskParties): string | null {
  if (actor.userId === task.responsibleUserId) return '你是该任务的责任人';
  if (actor.userId === task.lastSubmittedBy || task.actedBy.includes(actor.userId)) {
    return '你参与过该任务的整改（接收、报告进展、提交或申请延期）';
  }
  if (holdsRoleIn(actor, task.responsibleOrg, ROLES)) {
    return '你在该任务的责任单位担任职务';
  }
  return null;
}

/** `actedBy` with one more person, the same array when they are in it already. */
export function withActor(actedBy: readonly string[], userId: string): readonly string[] {
  return actedBy.includes(userId) ? actedBy : [...actedBy, userId];
}

// ---------------------------------------------------------------------------------------------
// Accountability cases (问责)

/** An accountability case as the decision rule sees it. */
export interface CaseParties {
  /** The committee that raised the problem: its discipline inspection or secretary decides. */
  readonly raisingOrg: OrgRef;
  /** The org held to account (the task's responsible org). */
  readonly subjectOrg: OrgRef;
  /** The people held to account. */
  readonly subjectUserIds: readonly string[];
}

/**
 * Why this person may not decide this case, or null: they are one of its subjects, or they
 * hold any role in its subject org.
 */
export function caseConflict(actor: Actor, c: CaseParties): string | null {
  if (c.subjectUserIds.includes(actor.userId)) return '你是该问责案件的问责对象';
  if (holdsRoleIn(actor, c.subjectOrg, ROLES)) return '你在被问责的党组织担任职务';
  return null;
}

export interface CaseRefusal {
  readonly code: 'forbidden' | typeof CONFLICT_OF_INTEREST;
  readonly reason: string;
}

/** The roles that decide a case in the raising org itself; above it, only discipline. */
const DECIDING_ROLES_AT_RAISING: readonly Role[] = ['discipline', 'secretary'];

/**
 * Who may decide (作出问责决定): the discipline inspection (纪检) of the raising org or of any org
 * above it, or the raising org's secretary — never someone in conflict (caseConflict). When
 * nobody at the raising org is free of conflict, the discipline inspection of the next org up
 * is who is left (caseDeciders); the rule lets them decide either way.
 */
export function whyNotDecideCase(actor: Actor, c: CaseParties): CaseRefusal | null {
  const byRole =
    holdsRoleOver(actor, c.raisingOrg, ['discipline']) ||
    holdsRoleIn(actor, c.raisingOrg, ['secretary']);
  if (!byRole) {
    return {
      code: 'forbidden',
      reason: '无权决定：问责决定由立项党组织（或其上级）的纪检，或立项党组织的书记作出',
    };
  }
  const conflict = caseConflict(actor, c);
  if (conflict) return { code: CONFLICT_OF_INTEREST, reason: `无权决定：${conflict}，应当回避` };
  return null;
}

/** A role held by someone, as loaded for the orgs on a case's raising path. */
export interface RoleHolder {
  readonly userId: string;
  readonly org: OrgRef;
  readonly role: Role;
}

/**
 * Who is expected to decide a case, given the role holders of the raising org and the orgs above
 * it: the raising org's discipline inspection and secretary who are free of conflict; when none
 * is left, the discipline inspection of the nearest org above that has someone free of
 * conflict. Null when nobody is left anywhere up the tree.
 */
export function caseDeciders(
  c: CaseParties,
  holders: readonly RoleHolder[],
): { readonly orgId: string; readonly userIds: readonly string[] } | null {
  const free = (h: RoleHolder) => caseConflict(actorOf(h.userId, holders), c) === null;
  const at = (orgId: string, roles: readonly Role[]) => [
    ...new Set(
      holders
        .filter((h) => h.org.id === orgId && roles.includes(h.role) && free(h))
        .map((h) => h.userId),
    ),
  ];
  const here = at(c.raisingOrg.id, DECIDING_ROLES_AT_RAISING);
  if (here.length > 0) return { orgId: c.raisingOrg.id, userIds: here };
  for (const orgId of [...c.raisingOrg.path].reverse().slice(1)) {
    const up = at(orgId, ['discipline']);
    if (up.length > 0) return { orgId, userIds: up };
  }
  return null;
}

/** Everything one person holds, as an Actor, from a list of holders. */
function actorOf(userId: string, holders: readonly RoleHolder[]): Actor {
  return {
    userId,
    systemAdmin: false,
    grants: holders.filter((h) => h.userId === userId).map((h) => ({ org: h.org, role: h.role })),
  };
}

// ---------------------------------------------------------------------------------------------
// The leader in charge (分管领导)

/**
 * Whether someone may be named a task's leader in charge: they hold a role in the responsible
 * org or in an org above it, no higher than the raising org (the problem import's rule).
 * `leaderOrgs` are the orgs where they hold a role.
 */
export function mayLeadTask(
  leaderOrgs: readonly OrgRef[],
  responsibleOrg: OrgRef,
  raisingOrg: OrgRef,
): boolean {
  return leaderOrgs.some((o) => isWithin(responsibleOrg, o.id) && isWithin(o, raisingOrg.id));
}
