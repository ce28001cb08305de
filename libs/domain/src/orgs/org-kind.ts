/** Kinds of Party organisation, from the top of the tree down. */
export const ORG_KINDS = [
  'work_committee',
  'committee',
  'general_branch',
  'branch',
  'group',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/**
 * Which kinds may sit directly below which. A work committee or committee may sit above
 * several committees; a group (党小组) only inside a branch.
 */
const ALLOWED_CHILDREN: Record<OrgKind, readonly OrgKind[]> = {
  work_committee: ['work_committee', 'committee', 'general_branch', 'branch'],
  committee: ['committee', 'general_branch', 'branch'],
  general_branch: ['branch'],
  branch: ['group'],
  group: [],
};

export type ChildKindCheck = { ok: true } | { ok: false; reason: string };

export function checkChildKind(parent: OrgKind | null, child: OrgKind): ChildKindCheck {
  if (parent === null) {
    return child === 'work_committee' || child === 'committee'
      ? { ok: true }
      : {
          ok: false,
          reason: `顶级组织须为党委（committee）或党工委（work_committee），不能是 ${child} — a top-level organisation must be a committee or work_committee, not ${child}`,
        };
  }
  if (ALLOWED_CHILDREN[parent].includes(child)) return { ok: true };
  const allowed = ALLOWED_CHILDREN[parent];
  return {
    ok: false,
    reason:
      allowed.length === 0
        ? `${parent} 类组织不能有下级组织 — a ${parent} cannot have child organisations`
        : `${child} 类组织不能设在 ${parent} 之下，可设：${allowed.join('、')} — a ${child} cannot be placed under a ${parent}; allowed: ${allowed.join(', ')}`,
  };
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
