/** Roles a person can hold in an organisation. */
export const ROLES = [
  'admin',
  'secretary',
  'deputy',
  'supervisor',
  'member',
  'discipline',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  secretary: '书记',
  deputy: '副书记',
  supervisor: '督查员',
  member: '成员',
  discipline: '纪检',
};

/** An organisation as the access rules see it: its id and the ids from the root down to it. */
export interface OrgRef {
  readonly id: string;
  /** Ids from the root of the tree to this org, this org last. */
  readonly path: readonly string[];
}

export interface RoleGrant {
  readonly org: OrgRef;
  readonly role: Role;
}

/** Who is acting: the user and every role they hold, with where they hold it. */
export interface Actor {
  readonly userId: string;
  /** The bootstrap administrator: manages the whole tree, including its roots. */
  readonly systemAdmin: boolean;
  readonly grants: readonly RoleGrant[];
}

export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export const ALLOW: Decision = { allowed: true };
export const deny = (reason: string): Decision => ({ allowed: false, reason });
