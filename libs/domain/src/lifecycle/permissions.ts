import { holdsRoleOver, isWithin } from '../access/org-access';
import { Actor, ALLOW, Decision, deny, OrgRef, Role } from '../access/roles';
import { TaskSnapshot } from './task';

/**
 * Who may do what to a task. Authority flows down the tree (一级抓一级): "of an org" below
 * means a role held in exactly that org, "above" or "an ancestor" widens it to the orgs over
 * it. The system administrator manages accounts and the tree, never the work itself.
 */

/** The roles that raise problems, assign measures, check and verify: 书记, 副书记, 督查员. */
export const SUPERVISING_ROLES: readonly Role[] = ['secretary', 'deputy', 'supervisor'];
/** The roles that approve a closure (销号) and decide extensions: 书记, 副书记. */
export const APPROVING_ROLES: readonly Role[] = ['secretary', 'deputy'];

/** Whether the actor holds one of `roles` in exactly `org`. */
export function holdsRoleIn(actor: Actor, org: OrgRef, roles: readonly Role[]): boolean {
  return actor.grants.some((g) => g.org.id === org.id && roles.includes(g.role));
}

/**
 * Raising a problem (立项): a secretary, deputy or supervisor of the raising org, which must be
 * the problem's org or an ancestor of it.
 */
export function mayRaiseProblem(actor: Actor, raisingOrg: OrgRef, problemOrg: OrgRef): Decision {
  if (!holdsRoleIn(actor, raisingOrg, SUPERVISING_ROLES)) {
    return deny(
      '立项须在立项党组织担任书记、副书记或督查员 — raising a problem needs the secretary, deputy or supervisor role in the raising organisation',
    );
  }
  if (!isWithin(problemOrg, raisingOrg.id)) {
    return deny(
      '立项党组织须为问题所在组织或其上级 — the raising organisation must be the problem’s organisation or one above it',
    );
  }
  return ALLOW;
}

/**
 * Assigning a measure (交办): a secretary, deputy or supervisor of the raising org; the
 * responsible org must lie in the raising org's subtree and the responsible person must hold a
 * role in it (the caller looks that up and passes the answer).
 */
export function mayAssignTask(
  actor: Actor,
  raisingOrg: OrgRef,
  responsibleOrg: OrgRef,
  responsibleUserHoldsRoleInResponsibleOrg: boolean,
): Decision {
  if (!holdsRoleIn(actor, raisingOrg, SUPERVISING_ROLES)) {
    return deny(
      '交办整改措施须在立项党组织担任书记、副书记或督查员 — assigning a measure needs the secretary, deputy or supervisor role in the raising organisation',
    );
  }
  if (!isWithin(responsibleOrg, raisingOrg.id)) {
    return deny(
      '责任单位须为立项党组织或其下级 — the responsible organisation must be the raising organisation or lie below it',
    );
  }
  if (!responsibleUserHoldsRoleInResponsibleOrg) {
    return deny(
      '责任人须在责任单位担任职务 — the responsible person must hold a role in the responsible organisation',
    );
  }
  return ALLOW;
}

/** The doing side: the responsible person, or a secretary of the responsible org. */
export function isResponsibleSide(actor: Actor, task: TaskSnapshot): boolean {
  return (
    actor.userId === task.responsibleUserId ||
    holdsRoleIn(actor, task.responsibleOrg, ['secretary'])
  );
}

/**
 * Verifying (验收) and recording checks (督查): a secretary, deputy or supervisor of the raising
 * org or of any org above the responsible org.
 */
export function maySuperviseTask(actor: Actor, task: TaskSnapshot): boolean {
  return (
    holdsRoleIn(actor, task.raisingOrg, SUPERVISING_ROLES) ||
    holdsRoleOver(actor, task.responsibleOrg, SUPERVISING_ROLES, { strictlyAbove: true })
  );
}

/** Approving the closure (销号) and deciding extensions: secretary or deputy of the raising org or above. */
export function mayApproveForTask(actor: Actor, task: TaskSnapshot): boolean {
  return holdsRoleOver(actor, task.raisingOrg, APPROVING_ROLES);
}

/** Reopening after a later review (回头看): the raising org's secretary, deputy or supervisor. */
export function mayReopenTask(actor: Actor, task: TaskSnapshot): boolean {
  return holdsRoleIn(actor, task.raisingOrg, SUPERVISING_ROLES);
}
