import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Actor,
  checkChildKind,
  CLOCK,
  type Clock,
  DEFAULT_TIME_ZONE,
  isValidTimeZone,
  mayAssignRole,
  mayCreateOrg,
  OrgKind,
  OrgRef,
  Role,
  conflict,
  forbidden,
  invalid,
  isUniqueViolation,
  notFound,
  offsetOf,
  Page,
  PageRequest,
} from '#duban/domain';
import {
  childPath,
  containsPattern,
  pathToIds,
  scopeCondition,
  scopeParams,
} from '#duban/persistence';

export interface NewOrg {
  name: string;
  kind: OrgKind;
  parentId?: string;
  timeZone?: string;
}

export interface OrgView {
  id: string;
  name: string;
  kind: OrgKind;
  parentId: string | null;
  /** Ids from the root down to this org, this org last. */
  path: string[];
  depth: number;
  timeZone: string;
  childCount: number;
  /** false once deactivated (已停用): no new problems or measures are assigned to it. */
  active: boolean;
  createdAt: string;
}

export interface RoleAssignmentView {
  id: string;
  userId: string;
  orgId: string;
  role: Role;
  grantedBy: string | null;
  createdAt: string;
}

interface OrgRow {
  id: string;
  name: string;
  kind: OrgKind;
  parent_id: string | null;
  path: string;
  time_zone: string;
  child_count: string;
  active: boolean;
  created_at: Date;
}

const ORG_COLUMNS = `o.id, o.name, o.kind, o.parent_id, o.path::text AS path, o.time_zone, o.active, o.created_at,
  (SELECT count(*) FROM orgs c WHERE c.parent_id = o.id) AS child_count`;

function toView(r: OrgRow): OrgView {
  const path = pathToIds(r.path);
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    parentId: r.parent_id,
    path,
    depth: path.length,
    timeZone: r.time_zone,
    childCount: Number(r.child_count),
    active: r.active,
    createdAt: r.created_at.toISOString(),
  };
}

export const orgRef = (o: OrgView): OrgRef => ({ id: o.id, path: o.path });

@Injectable()
export class OrgsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The org if the actor may see it; otherwise "not found", whether it exists or not. */
  async get(actor: Actor, id: string): Promise<OrgView> {
    const rows: OrgRow[] = await this.db.query(
      `SELECT ${ORG_COLUMNS} FROM orgs o WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [id, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(
        `组织不存在或不在你的范围内 — organisation ${id} does not exist or is outside your scope`,
      );
    return toView(rows[0]);
  }

  async children(actor: Actor, id: string, page: PageRequest): Promise<Page<OrgView>> {
    await this.get(actor, id);
    return this.list(actor, 'o.parent_id = $4', [id], page);
  }

  /** Organisations within the actor's scope, optionally filtered by name or kind. */
  async search(
    actor: Actor,
    filter: { q?: string; kind?: OrgKind; under?: string },
    page: PageRequest,
  ): Promise<Page<OrgView>> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.q) {
      params.push(containsPattern(filter.q));
      conditions.push(`o.name ILIKE $${params.length + 3}`);
    }
    if (filter.kind) {
      params.push(filter.kind);
      conditions.push(`o.kind = $${params.length + 3}`);
    }
    if (filter.under) {
      const root = await this.get(actor, filter.under);
      params.push(root.id);
      conditions.push(`o.path <@ (SELECT path FROM orgs WHERE id = $${params.length + 3})`);
    }
    return this.list(actor, conditions.join(' AND ') || 'TRUE', params, page);
  }

  private async list(
    actor: Actor,
    condition: string,
    params: unknown[],
    page: PageRequest,
  ): Promise<Page<OrgView>> {
    const where = `${condition} AND ${scopeCondition('o.path', '$1', '$2')}`;
    const rows: (OrgRow & { total: string })[] = await this.db.query(
      `SELECT ${ORG_COLUMNS}, count(*) OVER () AS total
         FROM orgs o WHERE ${where}
        ORDER BY nlevel(o.path), o.name, o.id
        LIMIT $3 OFFSET ${offsetOf(page)}`,
      [...scopeParams(actor), page.pageSize, ...params],
    );
    let total = rows.length > 0 ? Number(rows[0].total) : 0;
    if (rows.length === 0 && page.page > 1) {
      // $3 (the page size) is not used by the count; the cast keeps its type known.
      const count: { n: string }[] = await this.db.query(
        `SELECT count(*) AS n FROM orgs o WHERE ${where} AND $3::int > 0`,
        [...scopeParams(actor), page.pageSize, ...params],
      );
      total = Number(count[0].n);
    }
    return { items: rows.map(toView), total, page: page.page, pageSize: page.pageSize };
  }

  async create(actor: Actor, input: NewOrg): Promise<OrgView> {
    const parent = input.parentId ? await this.get(actor, input.parentId) : null;
    const allowed = mayCreateOrg(actor, parent && orgRef(parent));
    if (!allowed.allowed) throw forbidden(allowed.reason);
    const kind = checkChildKind(parent?.kind ?? null, input.kind);
    if (!kind.ok) throw invalid('kind', `组织类型：${kind.reason}`, 'kind_not_allowed');
    const timeZone = input.timeZone ?? parent?.timeZone ?? DEFAULT_TIME_ZONE;
    if (!isValidTimeZone(timeZone)) {
      throw invalid(
        'timeZone',
        `时区须为 IANA 时区名称，如 Asia/Shanghai — timeZone must be an IANA time zone such as Asia/Shanghai, got "${timeZone}"`,
        'invalid_format',
      );
    }
    const id = randomUUID();
    const parentPath = parent ? parent.path.map((p) => p.replace(/-/g, '')).join('.') : null;
    try {
      await this.db.query(
        `INSERT INTO orgs (id, name, kind, parent_id, path, time_zone, created_at)
         VALUES ($1, $2, $3, $4, $5::ltree, $6, $7)`,
        [
          id,
          input.name,
          input.kind,
          parent?.id ?? null,
          childPath(parentPath, id),
          timeZone,
          this.clock.now(),
        ],
      );
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw conflict(
          `同一上级组织下已有名为“${input.name}”的组织 — name: an organisation named "${input.name}" already exists at this level`,
          'name',
        );
      }
      throw e;
    }
    return this.get(actor, id);
  }

  async assignRole(
    actor: Actor,
    orgId: string,
    userId: string,
    role: Role,
  ): Promise<RoleAssignmentView> {
    const org = await this.get(actor, orgId);
    const allowed = mayAssignRole(actor, orgRef(org), role);
    if (!allowed.allowed) throw forbidden(allowed.reason);
    const users: unknown[] = await this.db.query('SELECT 1 FROM users WHERE id = $1 AND active', [
      userId,
    ]);
    if (users.length === 0)
      throw notFound(`该用户不存在 — userId: user ${userId} does not exist`, 'user_not_found');
    const view: RoleAssignmentView = {
      id: randomUUID(),
      userId,
      orgId,
      role,
      grantedBy: actor.userId,
      createdAt: this.clock.now().toISOString(),
    };
    try {
      await this.db.query(
        `INSERT INTO role_assignments (id, user_id, org_id, role, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [view.id, userId, orgId, role, actor.userId, view.createdAt],
      );
    } catch (e) {
      if (isUniqueViolation(e))
        throw conflict(
          `该用户在该组织已有此角色 — user ${userId} already holds the role ${role} in this organisation`,
        );
      throw e;
    }
    return view;
  }

  /** Role assignments in one org (visible to anyone who can see the org). */
  async roles(
    actor: Actor,
    orgId: string,
  ): Promise<(RoleAssignmentView & { displayName: string })[]> {
    await this.get(actor, orgId);
    const rows: {
      id: string;
      user_id: string;
      org_id: string;
      role: Role;
      granted_by: string | null;
      created_at: Date;
      display_name: string;
    }[] = await this.db.query(
      `SELECT ra.*, u.display_name FROM role_assignments ra JOIN users u ON u.id = ra.user_id
        WHERE ra.org_id = $1 AND ra.revoked_at IS NULL ORDER BY ra.role, u.display_name`,
      [orgId],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      orgId: r.org_id,
      role: r.role,
      grantedBy: r.granted_by,
      createdAt: r.created_at.toISOString(),
      displayName: r.display_name,
    }));
  }
}
