import { isAdministrator, mayAssignRole, mayCreateOrg } from '../access/org-access';
import type { Actor, OrgRef, Role } from '../access/roles';
import { USERNAME_PATTERN } from '../access/login-throttle';
import { checkChildKind, isValidTimeZone, ORG_KINDS, type OrgKind } from '../orgs/org-kind';
import { roleOfText } from './administration';

/**
 * 导入组织与人员: the org tree and its people with roles, from a sheet with Chinese headers.
 * One row is one org (created, or found when it already exists under the same parent) and, when
 * the person columns are filled, one person holding one role in it. Pure: the caller loads what
 * exists in the actor's scope and writes the plan in one transaction.
 */
export const ORG_IMPORT_COLUMNS = [
  { key: 'parent', header: '上级组织', required: true },
  { key: 'name', header: '组织名称', required: true },
  { key: 'kind', header: '组织类型', required: true },
  { key: 'timeZone', header: '时区', required: false },
  { key: 'displayName', header: '姓名', required: false },
  { key: 'username', header: '用户名', required: false },
  { key: 'role', header: '角色', required: false },
  { key: 'email', header: '邮箱', required: false },
  { key: 'phone', header: '手机', required: false },
] as const;
export type OrgImportKey = (typeof ORG_IMPORT_COLUMNS)[number]['key'];
export const ORG_IMPORT_HEADER: Record<OrgImportKey, string> = Object.fromEntries(
  ORG_IMPORT_COLUMNS.map((c) => [c.key, c.header]),
) as Record<OrgImportKey, string>;

export interface OrgImportRow {
  /** The 1-based row number as the spreadsheet shows it. */
  row: number;
  cells: Partial<Record<OrgImportKey, string>>;
}

export interface ExistingOrg {
  id: string;
  name: string;
  kind: OrgKind;
  parentId: string | null;
  /** Ids from the root down to this org. */
  path: readonly string[];
  active: boolean;
}

export interface ExistingUser {
  id: string;
  username: string;
  displayName: string;
  active: boolean;
}

export interface OrgImportContext {
  actor: Actor;
  /** Every org within the actor's scope. */
  orgs: readonly ExistingOrg[];
  /** Existing accounts named in the file, by lower-case username. */
  users: ReadonlyMap<string, ExistingUser>;
  /** Live grants of those accounts, as `${userId}:${orgId}:${role}`. */
  grants: ReadonlySet<string>;
  newId: () => string;
}

export interface PlannedOrg {
  row: number;
  id: string;
  name: string;
  kind: OrgKind;
  parentId: string | null;
  path: string[];
  /** null: the parent's. */
  timeZone: string | null;
}
export interface PlannedUser {
  row: number;
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
}
export interface PlannedGrant {
  row: number;
  userId: string;
  orgId: string;
  role: Role;
}
export interface OrgImportError {
  row: number;
  field: string;
  message: string;
}
export interface OrgImportPlan {
  orgs: PlannedOrg[];
  users: PlannedUser[];
  grants: PlannedGrant[];
  /** Rows whose org already existed (found, not created). */
  orgsFound: number;
  errors: OrgImportError[];
}

const KIND_ALIASES: Record<string, OrgKind> = {
  工委: 'work_committee',
  党工委: 'work_committee',
  党委: 'committee',
  党总支: 'general_branch',
  总支: 'general_branch',
  党支部: 'branch',
  支部: 'branch',
  党小组: 'group',
  小组: 'group',
};

export function orgKindOfText(text: string): OrgKind | null {
  const t = text.trim();
  return (ORG_KINDS as readonly string[]).includes(t.toLowerCase())
    ? (t.toLowerCase() as OrgKind)
    : (KIND_ALIASES[t] ?? null);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;
const splitTrail = (s: string) =>
  s
    .split(/[/／]/u)
    .map((x) => x.trim())
    .filter((x) => x !== '');

interface Node {
  id: string;
  name: string;
  kind: OrgKind;
  parentId: string | null;
  path: string[];
  active: boolean;
}

export function planOrgImport(rows: readonly OrgImportRow[], ctx: OrgImportContext): OrgImportPlan {
  const nodes = new Map<string, Node>();
  for (const o of ctx.orgs) nodes.set(o.id, { ...o, path: [...o.path] });
  const childKey = (parentId: string | null, name: string) => `${parentId ?? ''}/${name}`;
  const byParentAndName = new Map<string, Node>();
  for (const n of nodes.values()) byParentAndName.set(childKey(n.parentId, n.name), n);
  const trailOf = (n: Node): string[] =>
    n.path.flatMap((id) => {
      const a = nodes.get(id);
      return a ? [a.name] : [];
    });

  const plan: OrgImportPlan = { orgs: [], users: [], grants: [], orgsFound: 0, errors: [] };
  const newUsers = new Map<string, PlannedUser>();
  const grants = new Set(ctx.grants);
  const fail = (row: number, key: OrgImportKey, message: string) =>
    plan.errors.push({ row, field: ORG_IMPORT_HEADER[key], message });

  for (const r of rows) {
    const c = r.cells;
    const errorsBefore = plan.errors.length;
    // --- the org -------------------------------------------------------------------------
    const name = c.name?.trim();
    if (!name) {
      fail(r.row, 'name', '组织名称不能为空');
      continue;
    }
    if (name.length > 200) {
      fail(r.row, 'name', '组织名称不超过 200 字');
      continue;
    }
    let parent: Node | null = null;
    const trail = splitTrail(c.parent ?? '');
    if (trail.length > 0) {
      const last = trail[trail.length - 1];
      const candidates = [...nodes.values()].filter((n) => {
        if (n.name !== last) return false;
        const names = trailOf(n);
        return trail.every((t, i) => names[names.length - trail.length + i] === t);
      });
      if (candidates.length === 0) {
        fail(
          r.row,
          'parent',
          `未找到上级组织“${trail.join('/')}”：须是你管辖范围内已有的组织，或在本文件前面的行中`,
        );
        continue;
      }
      if (candidates.length > 1) {
        fail(
          r.row,
          'parent',
          `上级组织“${trail.join('/')}”不唯一，请写出路径，如 ${trailOf(candidates[0]).slice(-2).join('/')}`,
        );
        continue;
      }
      parent = candidates[0];
    }
    let org = byParentAndName.get(childKey(parent?.id ?? null, name));
    const kindText = c.kind?.trim();
    const kind = kindText ? orgKindOfText(kindText) : null;
    if (kindText && !kind) {
      fail(
        r.row,
        'kind',
        `组织类型“${kindText}”无法识别，可填：工委、党委、党总支、党支部、党小组`,
      );
      continue;
    }
    if (org) {
      if (kind && kind !== org.kind) {
        fail(r.row, 'kind', `已有组织“${name}”的类型与所填“${kindText}”不一致`);
        continue;
      }
      if (!plan.orgs.some((p) => p.id === org!.id)) plan.orgsFound += 1;
    } else {
      if (!kind) {
        fail(r.row, 'kind', '新建组织须填写组织类型（工委、党委、党总支、党支部、党小组）');
        continue;
      }
      if (parent && !parent.active) {
        fail(r.row, 'parent', `上级组织“${parent.name}”已停用`);
        continue;
      }
      const parentRef: OrgRef | null = parent ? { id: parent.id, path: parent.path } : null;
      const may = mayCreateOrg(ctx.actor, parentRef);
      if (!may.allowed) {
        fail(r.row, 'parent', `无权在此新建组织：${may.reason}`);
        continue;
      }
      const fits = checkChildKind(parent?.kind ?? null, kind);
      if (!fits.ok) {
        fail(r.row, 'kind', `组织类型不符合上下级关系：${fits.reason}`);
        continue;
      }
      const timeZone = c.timeZone?.trim() || null;
      if (timeZone && !isValidTimeZone(timeZone)) {
        fail(r.row, 'timeZone', `时区“${timeZone}”无效，应为 IANA 时区，如 Asia/Shanghai`);
        continue;
      }
      const id = ctx.newId();
      const node: Node = {
        id,
        name,
        kind,
        parentId: parent?.id ?? null,
        path: [...(parent?.path ?? []), id],
        active: true,
      };
      nodes.set(id, node);
      byParentAndName.set(childKey(node.parentId, name), node);
      plan.orgs.push({
        row: r.row,
        id,
        name,
        kind,
        parentId: node.parentId,
        path: node.path,
        timeZone,
      });
      org = node;
    }
    // --- the person ------------------------------------------------------------------------
    const person = (['displayName', 'username', 'role', 'email', 'phone'] as const).some((k) =>
      c[k]?.trim(),
    );
    if (!person) continue;
    const username = c.username?.trim() ?? '';
    const roleText = c.role?.trim() ?? '';
    if (!username) fail(r.row, 'username', '填写人员时须填写用户名');
    else if (!USERNAME_PATTERN.test(username))
      fail(r.row, 'username', '用户名须为 3–64 位字母、数字或 _ . @ -');
    const role = roleText ? roleOfText(roleText) : null;
    if (!roleText) fail(r.row, 'role', '填写人员时须填写角色');
    else if (!role)
      fail(
        r.row,
        'role',
        `角色“${roleText}”无法识别，可填：书记、副书记、督查员、成员、纪检、管理员`,
      );
    if (plan.errors.length > errorsBefore || !role) continue;
    const key = username.toLowerCase();
    let userId: string;
    const existing = ctx.users.get(key);
    if (existing) {
      if (!existing.active) {
        fail(r.row, 'username', `用户“${username}”已停用，请先启用`);
        continue;
      }
      userId = existing.id;
    } else if (newUsers.has(key)) {
      userId = newUsers.get(key)!.id;
    } else {
      const displayName = c.displayName?.trim() ?? '';
      const email = c.email?.trim() || null;
      const phone = c.phone?.trim() || null;
      if (!isAdministrator(ctx.actor)) {
        fail(r.row, 'username', `用户“${username}”不存在；新建账号需要管理员角色`);
        continue;
      }
      if (!displayName || displayName.length > 100) {
        fail(r.row, 'displayName', '新建账号须填写姓名（不超过 100 字）');
        continue;
      }
      if (email && !EMAIL.test(email)) {
        fail(r.row, 'email', `邮箱“${email}”格式有误`);
        continue;
      }
      if (phone && !PHONE.test(phone)) {
        fail(r.row, 'phone', `手机“${phone}”格式有误`);
        continue;
      }
      const planned: PlannedUser = {
        row: r.row,
        id: ctx.newId(),
        username,
        displayName,
        email,
        phone,
      };
      newUsers.set(key, planned);
      plan.users.push(planned);
      userId = planned.id;
    }
    const may = mayAssignRole(ctx.actor, { id: org.id, path: org.path }, role);
    if (!may.allowed) {
      fail(r.row, 'role', `无权授予该角色：${may.reason}`);
      continue;
    }
    const grantKey = `${userId}:${org.id}:${role}`;
    if (grants.has(grantKey)) continue;
    grants.add(grantKey);
    plan.grants.push({ row: r.row, userId, orgId: org.id, role });
  }
  return plan;
}
