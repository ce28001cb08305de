import { ALLOW, Actor, Decision, deny, OrgRef, Role } from './roles';

/** True when `org` is `ancestor` itself or lies below it. */
export function isWithin(org: OrgRef, ancestorId: string): boolean {
  return org.path.includes(ancestorId);
}

/** True when `org` lies strictly below `ancestorId`. */
export function isStrictlyBelow(org: OrgRef, ancestorId: string): boolean {
  return org.id !== ancestorId && org.path.includes(ancestorId);
}

/**
 * Whether the actor holds one of `roles` in `org` or in an org above it
 * (一级抓一级: duty and authority flow down the tree, never sideways or up).
 */
export function holdsRoleOver(
  actor: Actor,
  org: OrgRef,
  roles: readonly Role[],
  options: { strictlyAbove?: boolean } = {},
): boolean {
  return actor.grants.some(
    (g) =>
      roles.includes(g.role) &&
      (options.strictlyAbove ? isStrictlyBelow(org, g.org.id) : isWithin(org, g.org.id)),
  );
}

/**
 * Creating an organisation: a top-level one only by the system administrator; one below
 * `parent` by an admin of the parent's subtree, or by a secretary of the parent or an org
 * above it (the new org is then strictly below the secretary's own org).
 */
export function mayCreateOrg(actor: Actor, parent: OrgRef | null): Decision {
  if (actor.systemAdmin) return ALLOW;
  if (parent === null)
    return deny(
      '只有系统管理员能创建顶级组织 — only the system administrator may create a top-level organisation',
    );
  if (holdsRoleOver(actor, parent, ['admin', 'secretary'])) return ALLOW;
  return deny(
    '创建组织须在上级组织或更高一级担任管理员或书记 — creating an organisation needs the admin or secretary role in the parent organisation or above it',
  );
}

/**
 * Assigning a role in `org`: an admin of its subtree may assign any role; a secretary may
 * assign roles other than admin in organisations strictly below their own.
 */
export function mayAssignRole(actor: Actor, org: OrgRef, role: Role): Decision {
  if (actor.systemAdmin || holdsRoleOver(actor, org, ['admin'])) return ALLOW;
  if (role === 'admin')
    return deny('只有管理员能授予管理员角色 — only an administrator may grant the admin role');
  if (holdsRoleOver(actor, org, ['secretary'], { strictlyAbove: true })) return ALLOW;
  return deny(
    '授予角色须在该组织或其上级担任管理员，或在上级组织担任书记 — assigning roles needs the admin role over this organisation, or the secretary role in an organisation above it',
  );
}

/** The system administrator, or anyone holding the admin role in some organisation. */
export function isAdministrator(actor: Actor): boolean {
  return actor.systemAdmin || actor.grants.some((g) => g.role === 'admin');
}

/** Creating user accounts: administrators only. */
export function mayCreateUser(actor: Actor): Decision {
  return isAdministrator(actor)
    ? ALLOW
    : deny('创建用户须有管理员角色 — creating users needs the admin role');
}
