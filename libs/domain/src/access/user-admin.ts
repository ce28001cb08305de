import { holdsRoleOver, isAdministrator } from './org-access';
import { ALLOW, type Actor, type Decision, deny, type OrgRef } from './roles';

/** The account being changed, as the rule needs it. */
export interface ManagedUser {
  readonly id: string;
  readonly systemAdmin: boolean;
  /** Every organisation where they hold a role. */
  readonly orgs: readonly OrgRef[];
}

/**
 * Changing someone's account (details, disabling, password): the system administrator may change
 * anyone's; an org admin may change an account whose every role lies in their subtree (or one
 * with no role yet, as when they have just created it), never the system administrator's.
 * Nobody disables themselves (that would lock the last administrator out).
 */
export function mayManageUser(
  actor: Actor,
  target: ManagedUser,
  change: { disabling?: boolean } = {},
): Decision {
  if (change.disabling && target.id === actor.userId)
    return deny('不能停用自己的账号 — you cannot disable your own account');
  if (actor.systemAdmin) return ALLOW;
  if (!isAdministrator(actor))
    return deny('管理账号需要管理员角色 — managing accounts needs the admin role');
  if (target.systemAdmin)
    return deny(
      '只有系统管理员能修改系统管理员账号 — only the system administrator may change that account',
    );
  if (target.orgs.every((org) => holdsRoleOver(actor, org, ['admin']))) return ALLOW;
  return deny(
    '该用户在你管辖范围之外的组织担任职务 — this person holds a role outside the organisations you administer',
  );
}
