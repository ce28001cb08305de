import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrgRef, Role } from '#duban/domain';
import { pathToIds, returning } from '#duban/persistence';

export interface RoleAssignmentView {
  id: string;
  userId: string;
  orgId: string;
  role: Role;
  grantedBy: string | null;
  createdAt: string;
}

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

export interface NewGrant {
  id: string;
  userId: string;
  orgId: string;
  role: Role;
  grantedBy: string;
  at: Date;
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
 * Every statement about role grants (职务); the only writer of `role_assignments`. A grant is
 * never deleted: revoking stamps it, so the history stays.
 */
@Injectable()
export class RolesRepository {
  /** Throws PostgreSQL's unique violation when the user holds the role there already. */
  async insert(m: EntityManager, g: NewGrant): Promise<void> {
    await m.query(
      `INSERT INTO role_assignments (id, user_id, org_id, role, granted_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [g.id, g.userId, g.orgId, g.role, g.grantedBy, g.at],
    );
  }

  /** Whether the user holds any live role at the org. */
  async holdsLive(m: EntityManager, userId: string, orgId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM role_assignments WHERE user_id = $1 AND org_id = $2 AND revoked_at IS NULL LIMIT 1`,
      [userId, orgId],
    );
    return rows.length > 0;
  }

  /** Stamps the live grant revoked; null when the user holds no such role there. */
  async revoke(
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

  async find(m: EntityManager, id: string): Promise<RoleRecord> {
    const rows: RoleRow[] = await m.query(`${ROLE_SELECT} WHERE ra.id = $1`, [id]);
    return toRole(rows[0]);
  }

  /** The grants of one org: live ones, or with `history` revoked ones too, newest first. */
  async ofOrg(m: EntityManager, orgId: string, history: boolean): Promise<RoleRecord[]> {
    const rows: RoleRow[] = await m.query(
      `${ROLE_SELECT} WHERE ra.org_id = $1 ${history ? '' : 'AND ra.revoked_at IS NULL'}
        ORDER BY greatest(ra.created_at, coalesce(ra.revoked_at, ra.created_at)) DESC, ra.role, u.display_name`,
      [orgId],
    );
    return rows.map(toRole);
  }

  /** The live grants of one org with the holder's name, by role, then name. */
  async liveOfOrg(
    m: EntityManager,
    orgId: string,
  ): Promise<(RoleAssignmentView & { displayName: string })[]> {
    const rows: {
      id: string;
      user_id: string;
      org_id: string;
      role: Role;
      granted_by: string | null;
      created_at: Date;
      display_name: string;
    }[] = await m.query(
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

  /** The orgs where the user holds a live role (what decides who may manage them). */
  async liveOrgsOf(m: EntityManager, userId: string): Promise<OrgRef[]> {
    const orgs: { id: string; path: string }[] = await m.query(
      `SELECT o.id, o.path::text AS path FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
        WHERE ra.user_id = $1 AND ra.revoked_at IS NULL`,
      [userId],
    );
    return orgs.map((o) => ({ id: o.id, path: pathToIds(o.path) }));
  }

  /** The user's live roles with their org's name, shallow orgs first. */
  async liveOfUser(
    m: EntityManager,
    userId: string,
  ): Promise<{ orgId: string; orgName: string; role: Role }[]> {
    const rows: { org_id: string; org_name: string; role: Role }[] = await m.query(
      `SELECT ra.org_id, o.name AS org_name, ra.role
         FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
        WHERE ra.user_id = $1 AND ra.revoked_at IS NULL ORDER BY nlevel(o.path), o.name, ra.role`,
      [userId],
    );
    return rows.map((r) => ({ orgId: r.org_id, orgName: r.org_name, role: r.role }));
  }

  /** The live grants of these users, as `userId:orgId:role` keys. */
  async liveKeysOf(m: EntityManager, userIds: readonly string[]): Promise<Set<string>> {
    const grants: { user_id: string; org_id: string; role: string }[] = await m.query(
      `SELECT user_id, org_id, role FROM role_assignments
        WHERE user_id = ANY($1::uuid[]) AND revoked_at IS NULL`,
      [[...userIds]],
    );
    return new Set(grants.map((g) => `${g.user_id}:${g.org_id}:${g.role}`));
  }
}
