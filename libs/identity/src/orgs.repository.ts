import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type Actor,
  type ExistingOrg,
  offsetOf,
  type OrgKind,
  type OrgRef,
  type Page,
  type PageRequest,
} from '#duban/domain';
import {
  containsPattern,
  idsToPath,
  pathToIds,
  scopeCondition,
  scopeParams,
} from '#duban/persistence';

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

/** An org as the administration use cases see it (rename, deactivate, grant roles in it). */
export interface AdminOrgRecord {
  ref: OrgRef;
  name: string;
  kind: string;
  parentId: string | null;
  path: string;
  timeZone: string;
  active: boolean;
}

/** Which orgs of the caller's scope a page lists; every given filter applies. */
export interface OrgListFilter {
  /** The children of this org. */
  parentId?: string;
  /** Name contains (case-insensitive). */
  q?: string;
  kind?: OrgKind;
  /** This org and everything below it. */
  under?: string;
}

export interface NewOrgRecord {
  id: string;
  name: string;
  kind: OrgKind;
  parentId: string | null;
  /** Ids from the root down to the new org, the new org last. */
  path: readonly string[];
  timeZone: string;
  at: Date;
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

/**
 * Every statement about the org tree; the only writer of `orgs`. Reads are scoped to the
 * caller's subtree in the query: an org outside it is simply not found.
 */
@Injectable()
export class OrgsRepository {
  /** The org if in the actor's scope, else null (whether it exists or not). */
  async findInScope(m: EntityManager, actor: Actor, id: string): Promise<OrgView | null> {
    const rows: OrgRow[] = await m.query(
      `SELECT ${ORG_COLUMNS} FROM orgs o WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [id, ...scopeParams(actor)],
    );
    return rows.length === 0 ? null : toView(rows[0]);
  }

  /** A page of the orgs in the actor's scope that pass `filter`, shallow first, then by name. */
  async page(
    m: EntityManager,
    actor: Actor,
    filter: OrgListFilter,
    page: PageRequest,
  ): Promise<Page<OrgView>> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.parentId !== undefined) {
      params.push(filter.parentId);
      conditions.push(`o.parent_id = $${params.length + 3}`);
    }
    if (filter.q) {
      params.push(containsPattern(filter.q));
      conditions.push(`o.name ILIKE $${params.length + 3}`);
    }
    if (filter.kind) {
      params.push(filter.kind);
      conditions.push(`o.kind = $${params.length + 3}`);
    }
    if (filter.under) {
      params.push(filter.under);
      conditions.push(`o.path <@ (SELECT path FROM orgs WHERE id = $${params.length + 3})`);
    }
    const where = `${conditions.join(' AND ') || 'TRUE'} AND ${scopeCondition('o.path', '$1', '$2')}`;
    const rows: (OrgRow & { total: string })[] = await m.query(
      `SELECT ${ORG_COLUMNS}, count(*) OVER () AS total
         FROM orgs o WHERE ${where}
        ORDER BY nlevel(o.path), o.name, o.id
        LIMIT $3 OFFSET ${offsetOf(page)}`,
      [...scopeParams(actor), page.pageSize, ...params],
    );
    let total = rows.length > 0 ? Number(rows[0].total) : 0;
    if (rows.length === 0 && page.page > 1) {
      // $3 (the page size) is not used by the count; the cast keeps its type known.
      const count: { n: string }[] = await m.query(
        `SELECT count(*) AS n FROM orgs o WHERE ${where} AND $3::int > 0`,
        [...scopeParams(actor), page.pageSize, ...params],
      );
      total = Number(count[0].n);
    }
    return { items: rows.map(toView), total, page: page.page, pageSize: page.pageSize };
  }

  /** Throws PostgreSQL's unique violation when a sibling carries the name already. */
  async insert(m: EntityManager, o: NewOrgRecord): Promise<void> {
    await m.query(
      `INSERT INTO orgs (id, name, kind, parent_id, path, time_zone, created_at)
       VALUES ($1, $2, $3, $4, $5::ltree, $6, $7)`,
      [o.id, o.name, o.kind, o.parentId, idsToPath(o.path), o.timeZone, o.at],
    );
  }

  /**
   * The org, if in the caller's scope. `lock`: held until the transaction ends (FOR NO KEY UPDATE,
   * which leaves foreign-key checks alone), as the audit chain of the org's stream requires of
   * whoever appends to it — two role grants at one org at once take turns, not a conflict.
   */
  async findForAdministration(
    m: EntityManager,
    actor: Actor,
    orgId: string,
    lock = false,
  ): Promise<AdminOrgRecord | null> {
    const rows: {
      id: string;
      name: string;
      kind: string;
      parent_id: string | null;
      path: string;
      time_zone: string;
      active: boolean;
    }[] = await m.query(
      `SELECT o.id, o.name, o.kind, o.parent_id, o.path::text AS path, o.time_zone, o.active
         FROM orgs o WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}
         ${lock ? 'FOR NO KEY UPDATE OF o' : ''}`,
      [orgId, ...scopeParams(actor)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      ref: { id: r.id, path: pathToIds(r.path) },
      name: r.name,
      kind: r.kind,
      parentId: r.parent_id,
      path: r.path,
      timeZone: r.time_zone,
      active: r.active,
    };
  }

  /** Rename and/or (de)activate; an absent field is left as it is. */
  async update(
    m: EntityManager,
    orgId: string,
    change: { name?: string; active?: boolean },
  ): Promise<void> {
    await m.query(
      `UPDATE orgs SET name = coalesce($2, name), active = coalesce($3, active) WHERE id = $1`,
      [orgId, change.name ?? null, change.active ?? null],
    );
  }

  /** Every org within the actor's scope, parents before children (the org import plans on it). */
  async allInScope(m: EntityManager, actor: Actor): Promise<ExistingOrg[]> {
    const rows: {
      id: string;
      name: string;
      kind: OrgKind;
      parent_id: string | null;
      path: string;
      active: boolean;
    }[] = await m.query(
      `SELECT o.id, o.name, o.kind, o.parent_id, o.path::text AS path, o.active FROM orgs o
        WHERE ${scopeCondition('o.path', '$1', '$2')} ORDER BY nlevel(o.path), o.name`,
      scopeParams(actor),
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      parentId: r.parent_id,
      path: pathToIds(r.path),
      active: r.active,
    }));
  }

  async timeZoneOf(m: EntityManager, orgId: string): Promise<string> {
    const rows: { time_zone: string }[] = await m.query(
      `SELECT time_zone FROM orgs WHERE id = $1`,
      [orgId],
    );
    return rows[0].time_zone;
  }

  /** The org's name, by id, unscoped: for callers that checked the scope already. */
  async nameOf(m: EntityManager, orgId: string): Promise<string> {
    const rows: { name: string }[] = await m.query(`SELECT name FROM orgs WHERE id = $1`, [orgId]);
    return rows[0].name;
  }

  /** The org's name and depth (1 for a root), by id, unscoped: for callers that checked scope. */
  async nameAndLevel(m: EntityManager, orgId: string): Promise<{ name: string; level: number }> {
    const rows: { name: string; level: number }[] = await m.query(
      `SELECT name, nlevel(path) AS level FROM orgs WHERE id = $1`,
      [orgId],
    );
    return rows[0];
  }
}
