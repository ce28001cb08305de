import { holdsRoleOver, isWithin, mayAssignRole } from '../access/org-access';
import { ALLOW, type Actor, type Decision, deny, type OrgRef, type Role } from '../access/roles';
import { ROLE_LABELS, ROLES } from '../access/roles';
import { SUPERVISING_ROLES } from '../lifecycle/permissions';
import type { TaskState } from '../lifecycle/task';

/**
 * Administration of people and orgs (人员与组织管理): who may revoke a role, rename or
 * deactivate an org, reassign a measure, edit or withdraw a problem; pure rules, no I/O.
 */

/** A reason (理由) as the administration commands require it: 1–500 characters, not blank. */
export const REASON_MAX_LENGTH = 500;

export function reasonError(reason: string | undefined): string | null {
  if (reason === undefined || reason.trim() === '')
    return '请填写理由 — a reason is required and is kept in the record';
  if (reason.length > REASON_MAX_LENGTH)
    return `理由不超过 ${REASON_MAX_LENGTH} 字 — the reason must be at most ${REASON_MAX_LENGTH} characters`;
  return null;
}

/**
 * Revoking a role: whoever may grant it may revoke it (mayAssignRole). Nobody revokes their
 * own admin role — that could lock the last administrator of a subtree out.
 */
export function mayRevokeRole(actor: Actor, org: OrgRef, role: Role, userId: string): Decision {
  if (role === 'admin' && userId === actor.userId && !actor.systemAdmin)
    return deny('不能撤销自己的管理员角色 — you cannot revoke your own admin role');
  const decision = mayAssignRole(actor, org, role);
  if (decision.allowed) return ALLOW;
  return deny(`无权撤销该角色：${decision.reason}`);
}

/**
 * Renaming or deactivating (停用) an org: the system administrator, an admin of its subtree, or
 * a secretary of an org strictly above it (the one who could have created it).
 */
export function mayAdministerOrg(actor: Actor, org: OrgRef): Decision {
  if (actor.systemAdmin || holdsRoleOver(actor, org, ['admin'])) return ALLOW;
  if (holdsRoleOver(actor, org, ['secretary'], { strictlyAbove: true })) return ALLOW;
  return deny(
    '修改组织需要该组织或其上级的管理员角色，或上级组织的书记角色 — changing an organisation needs the admin role over it or the secretary role above it',
  );
}

/** Open: a measure that can still be reassigned (not yet verified or closed). */
const REASSIGNABLE: readonly TaskState[] = ['assigned', 'in_progress', 'submitted'];

export interface ReassignCheck {
  raisingOrg: OrgRef;
  problemOrg: OrgRef;
  state: TaskState;
  withdrawn: boolean;
  /** The new responsible org, when it changes. */
  newResponsibleOrg?: OrgRef;
}

/**
 * 改派: a secretary, deputy or supervisor of the raising org (or an org above it) or an admin
 * over it may reassign an open measure; the new responsible org lies in the problem's org
 * subtree. The leader and the person are checked against roles by the caller.
 */
export function mayReassignTask(
  actor: Actor,
  c: ReassignCheck,
): Decision & { code?: string; field?: string } {
  if (!holdsRoleOver(actor, c.raisingOrg, [...SUPERVISING_ROLES, 'admin']))
    return deny(
      '改派需要立项党组织的书记、副书记、督查员或管理员角色 — reassigning a measure needs the secretary, deputy, supervisor or admin role in the raising organisation',
    );
  if (c.withdrawn)
    return {
      ...deny('该问题已撤回，不能改派 — the problem was withdrawn'),
      code: 'problem_withdrawn',
    };
  if (!REASSIGNABLE.includes(c.state))
    return {
      ...deny(
        '已验收或已销号的整改措施不能改派 — a verified or closed measure cannot be reassigned',
      ),
      code: 'task_not_open',
    };
  if (c.newResponsibleOrg && !isWithin(c.newResponsibleOrg, c.problemOrg.id))
    return {
      ...deny(
        '新的责任单位须在问题所在单位或其下级 — the new responsible organisation must be the problem’s organisation or one below it',
      ),
      code: 'responsible_org_outside_problem',
      field: 'responsibleOrgId',
    };
  return ALLOW;
}

/** Editing a problem's text (with a reason): a supervising role or admin of the raising org. */
export function mayEditProblem(actor: Actor, raisingOrg: OrgRef, withdrawn: boolean): Decision {
  if (!holdsRoleOver(actor, raisingOrg, [...SUPERVISING_ROLES, 'admin']))
    return deny(
      '修改问题需要立项党组织的书记、副书记、督查员或管理员角色 — editing a problem needs the secretary, deputy, supervisor or admin role in the raising organisation',
    );
  if (withdrawn) return deny('该问题已撤回，不能修改 — the problem was withdrawn');
  return ALLOW;
}

/**
 * 撤回 a problem raised in error: the raising org's secretary, deputy or admin (or one above).
 * A closed problem (every measure 销号) is history and stays; a withdrawn one is withdrawn.
 */
export function mayWithdrawProblem(
  actor: Actor,
  raisingOrg: OrgRef,
  problem: { withdrawn: boolean; closed: boolean },
): Decision {
  if (!holdsRoleOver(actor, raisingOrg, ['secretary', 'deputy', 'admin']))
    return deny(
      '撤回问题需要立项党组织的书记、副书记或管理员角色 — withdrawing a problem needs the secretary, deputy or admin role in the raising organisation',
    );
  if (problem.withdrawn) return deny('该问题已撤回 — the problem was already withdrawn');
  if (problem.closed)
    return deny('该问题的整改已全部销号，不能撤回 — every measure of this problem is closed');
  return ALLOW;
}

/** A role written in an import file: its Chinese label (书记) or its code (secretary). */
export function roleOfText(text: string): Role | null {
  const t = text.trim();
  const byCode = ROLES.find((r) => r === t.toLowerCase());
  if (byCode) return byCode;
  const aliases: Record<string, Role> = { 管理员: 'admin', 组织委员: 'member', 党员: 'member' };
  const byLabel = ROLES.find((r) => ROLE_LABELS[r] === t);
  return byLabel ?? aliases[t] ?? null;
}
