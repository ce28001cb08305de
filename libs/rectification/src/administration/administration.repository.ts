import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  type Actor,
  type ExistingOrg,
  type ExistingUser,
  type OrgKind,
  type OrgRef,
  type Role,
} from '#duban/domain';
import { idsToPath, pathToIds, returning, scopeCondition, scopeParams } from '#duban/persistence';

/** A role grant, live or revoked, with the names of the people involved. */
export interface RoleRecord {
  id: string;
  userId: string;
  displayName: string;
  orgId: string;
  role: Role;
  grantedBy: string | null;
  grantedByName: string | null;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokedByName: string | null;
}

export interface AdminOrgRecord {
  ref: OrgRef;
  name: string;
  kind: string;
  parentId: string | null;
  path: string;
  timeZone: string;
  active: boolean;
}

interface RoleRow {
  id: string;
  user_id: string;
  display_name: string;
  org_id: string;
  role: Role;
  granted_by: string | null;
  granted_by_name: string | null;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoked_by_name: string | null;
}

const toRole = (r: RoleRow): RoleRecord => ({
  id: r.id,
  userId: r.user_id,
  displayName: r.display_name,
  orgId: r.org_id,
  role: r.role,
  grantedBy: r.granted_by,
  grantedByName: r.granted_by_name,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  revokedBy: r.revoked_by,
  revokedByName: r.revoked_by_name,
});

const ROLE_SELECT = `SELECT ra.id, ra.user_id, u.display_name, ra.org_id, ra.role, ra.granted_by,
    g.display_name AS granted_by_name, ra.created_at, ra.revoked_at, ra.revoked_by,
    r.display_name AS revoked_by_name
  FROM role_assignments ra JOIN users u ON u.id = ra.user_id
  LEFT JOIN users g ON g.id = ra.granted_by LEFT JOIN users r ON r.id = ra.revoked_by`;

/**
 * Every SQL statement of the administration use cases on people and orgs (roles, org changes,
 * the org import); problem edits and withdrawals, and reassignment, are written by
 * ProblemsRepository and TasksRepository. Scope checks are in the SQL: a row outside the
 * actor's scope is simply not found.
 */
@Injectable()
export class AdministrationRepository {
  /**
   * The org, if in the caller's scope. `lock`: held until the transaction ends (FOR NO KEY UPDATE,
   * which leaves foreign-key checks alone), as the audit chain of the org's stream requires of
   * whoever appends to it — two role grants at one org at once take turns, not a conflict.
   */
  async orgInScope(
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

  async userIsActive(m: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND active`, [userId]);
    return rows.length > 0;
  }

  async insertGrant(
    m: EntityManager,
    g: { id: string; userId: string; orgId: string; role: Role; grantedBy: string; at: Date },
  ): Promise<void> {
    await m.query(
      `INSERT INTO role_assignments (id, user_id, org_id, role, granted_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [g.id, g.userId, g.orgId, g.role, g.grantedBy, g.at],
    );
  }

  /** Stamps the live grant revoked; null when the user holds no such role there. */
  async revokeGrant(
    m: EntityManager,
    g: { userId: string; orgId: string; role: Role; revokedBy: string; at: Date },
  ): Promise<string | null> {
    const rows = await returning<{ id: string }>(
      m,
      `UPDATE role_assignments SET revoked_at = $4, revoked_by = $5
        WHERE user_id = $1 AND org_id = $2 AND role = $3 AND revoked_at IS NULL RETURNING id`,
      [g.userId, g.orgId, g.role, g.at, g.revokedBy],
    );
    return rows[0]?.id ?? null;
  }

  async grant(m: EntityManager, id: string): Promise<RoleRecord> {
    const rows: RoleRow[] = await m.query(`${ROLE_SELECT} WHERE ra.id = $1`, [id]);
    return toRole(rows[0]);
  }

  /** The grants of one org: live ones, or with `history` revoked ones too, newest first. */
  async grantsOf(m: EntityManager, orgId: string, history: boolean): Promise<RoleRecord[]> {
    const rows: RoleRow[] = await m.query(
      `${ROLE_SELECT} WHERE ra.org_id = $1 ${history ? '' : 'AND ra.revoked_at IS NULL'}
        ORDER BY greatest(ra.created_at, coalesce(ra.revoked_at, ra.created_at)) DESC, ra.role, u.display_name`,
      [orgId],
    );
    return rows.map(toRole);
  }

  async updateOrg(
    m: EntityManager,
    orgId: string,
    change: { name?: string; active?: boolean },
  ): Promise<void> {
    await m.query(
      `UPDATE orgs SET name = coalesce($2, name), active = coalesce($3, active) WHERE id = $1`,
      [orgId, change.name ?? null, change.active ?? null],
    );
  }

  async holdsLiveRole(m: EntityManager, userId: string, orgId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM role_assignments WHERE user_id = $1 AND org_id = $2 AND revoked_at IS NULL LIMIT 1`,
      [userId, orgId],
    );
    return rows.length > 0;
  }

  // --- the org import --------------------------------------------------------------------------

  /** Every org within the actor's scope, parents before children. */
  async orgsInScope(m: EntityManager, actor: Actor): Promise<ExistingOrg[]> {
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

  /** Accounts by username (compared in lower case), with their live grants. */
  async usersByUsername(
    m: EntityManager,
    usernames: readonly string[],
  ): Promise<{ users: Map<string, ExistingUser>; grants: Set<string> }> {
    const rows: { id: string; username: string; display_name: string; active: boolean }[] =
      await m.query(
        `SELECT id, username, display_name, active FROM users WHERE lower(username) = ANY($1::text[])`,
        [usernames.map((u) => u.toLowerCase())],
      );
    const users = new Map(
      rows.map((r) => [
        r.username.toLowerCase(),
        { id: r.id, username: r.username, displayName: r.display_name, active: r.active },
      ]),
    );
    const grants: { user_id: string; org_id: string; role: string }[] = await m.query(
      `SELECT user_id, org_id, role FROM role_assignments
        WHERE user_id = ANY($1::uuid[]) AND revoked_at IS NULL`,
      [rows.map((r) => r.id)],
    );
    return { users, grants: new Set(grants.map((g) => `${g.user_id}:${g.org_id}:${g.role}`)) };
  }

  async insertOrg(
    m: EntityManager,
    o: {
      id: string;
      name: string;
      kind: OrgKind;
      parentId: string | null;
      path: readonly string[];
      timeZone: string;
      at: Date;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO orgs (id, name, kind, parent_id, path, time_zone, created_at)
       VALUES ($1, $2, $3, $4, $5::ltree, $6, $7)`,
      [o.id, o.name, o.kind, o.parentId, idsToPath(o.path), o.timeZone, o.at],
    );
  }

  async timeZoneOf(m: EntityManager, orgId: string): Promise<string> {
    const rows: { time_zone: string }[] = await m.query(
      `SELECT time_zone FROM orgs WHERE id = $1`,
      [orgId],
    );
    return rows[0].time_zone;
  }

  async insertUser(
    m: EntityManager,
    u: {
      id: string;
      username: string;
      displayName: string;
      email: string | null;
      phone: string | null;
      passwordHash: string;
      at: Date;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO users (id, username, display_name, password_hash, email, phone, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [u.id, u.username, u.displayName, u.passwordHash, u.email, u.phone, u.at],
    );
  }
}
