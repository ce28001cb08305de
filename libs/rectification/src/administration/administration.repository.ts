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

export interface ProblemRecord {
  id: string;
  title: string;
  description: string;
  org: OrgRef;
  raisingOrg: OrgRef;
  withdrawn: boolean;
  closed: boolean;
}

/** A task row locked for reassignment. */
export interface ReassignTaskRecord {
  id: string;
  problemId: string;
  measure: string;
  state: string;
  version: number;
  withdrawn: boolean;
  raisingOrg: OrgRef;
  problemOrg: OrgRef;
  responsibleOrgId: string;
  responsibleOrgPath: string;
  responsibleUserId: string;
  leaderUserId: string | null;
  dueAt: Date | null;
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
 * Every SQL statement of the administration use cases (roles, org changes, problem edits and
 * withdrawals, reassignment); the only writer of the columns they own. Scope checks are in the
 * SQL: a row outside the actor's scope is simply not found.
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

  /** A problem within the actor's scope (its org), locked for a change; null otherwise. */
  async lockProblem(m: EntityManager, actor: Actor, id: string): Promise<ProblemRecord | null> {
    const rows: {
      id: string;
      title: string;
      description: string;
      org_id: string;
      org_path: string;
      raised_by_org_id: string;
      raising_path: string;
      withdrawn_at: Date | null;
      task_count: number;
      open_task_count: number;
    }[] = await m.query(
      `SELECT p.id, p.title, p.description, p.org_id, p.org_path::text AS org_path, p.raised_by_org_id,
              ro.path::text AS raising_path, p.withdrawn_at, p.task_count, p.open_task_count
         FROM problems p JOIN orgs ro ON ro.id = p.raised_by_org_id
        WHERE p.id = $1 AND ${scopeCondition('p.org_path', '$2', '$3')}
        FOR UPDATE OF p`,
      [id, ...scopeParams(actor)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      org: { id: r.org_id, path: pathToIds(r.org_path) },
      raisingOrg: { id: r.raised_by_org_id, path: pathToIds(r.raising_path) },
      withdrawn: r.withdrawn_at !== null,
      closed: r.task_count > 0 && r.open_task_count === 0,
    };
  }

  async updateProblemText(
    m: EntityManager,
    id: string,
    change: { title?: string; description?: string },
  ): Promise<void> {
    await m.query(
      `UPDATE problems SET title = coalesce($2, title), description = coalesce($3, description)
        WHERE id = $1`,
      [id, change.title ?? null, change.description ?? null],
    );
  }

  /**
   * Withdraws a problem: stamps it, and stamps its measures that are not closed, clearing their
   * timers (the engine never claims them again) and moving their version on. Returns those
   * measures with their state before.
   */
  async withdrawProblem(
    m: EntityManager,
    id: string,
    w: { by: string; at: Date; reason: string },
  ): Promise<{ id: string; state: string }[]> {
    await m.query(
      `UPDATE problems SET withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4 WHERE id = $1`,
      [id, w.at, w.by, w.reason],
    );
    return returning<{ id: string; state: string }>(
      m,
      `UPDATE tasks SET withdrawn_at = $2, next_fire_at = NULL, claimed_until = NULL,
              version = version + 1, updated_at = $2
        WHERE problem_id = $1 AND state <> 'closed' AND withdrawn_at IS NULL
        RETURNING id, state`,
      [id, w.at],
    );
  }

  /** A task within the actor's scope, locked for reassignment; null otherwise. */
  async lockTask(m: EntityManager, actor: Actor, id: string): Promise<ReassignTaskRecord | null> {
    const rows: {
      id: string;
      problem_id: string;
      measure: string;
      state: string;
      version: number;
      withdrawn_at: Date | null;
      raising_org_id: string;
      raising_org_path: string;
      problem_org_id: string;
      problem_org_path: string;
      responsible_org_id: string;
      responsible_org_path: string;
      responsible_user_id: string;
      leader_user_id: string | null;
      due_at: Date | null;
    }[] = await m.query(
      `SELECT t.id, t.problem_id, t.measure, t.state, t.version, t.withdrawn_at, t.raising_org_id,
              t.raising_org_path::text AS raising_org_path, p.org_id AS problem_org_id,
              p.org_path::text AS problem_org_path, t.responsible_org_id,
              t.responsible_org_path::text AS responsible_org_path, t.responsible_user_id,
              t.leader_user_id, t.due_at
         FROM tasks t JOIN problems p ON p.id = t.problem_id
        WHERE t.id = $1 AND ${scopeCondition('t.responsible_org_path', '$2', '$3')}
        FOR UPDATE OF t`,
      [id, ...scopeParams(actor)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      problemId: r.problem_id,
      measure: r.measure,
      state: r.state,
      version: r.version,
      withdrawn: r.withdrawn_at !== null,
      raisingOrg: { id: r.raising_org_id, path: pathToIds(r.raising_org_path) },
      problemOrg: { id: r.problem_org_id, path: pathToIds(r.problem_org_path) },
      responsibleOrgId: r.responsible_org_id,
      responsibleOrgPath: r.responsible_org_path,
      responsibleUserId: r.responsible_user_id,
      leaderUserId: r.leader_user_id,
      dueAt: r.due_at,
    };
  }

  async holdsLiveRole(m: EntityManager, userId: string, orgId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM role_assignments WHERE user_id = $1 AND org_id = $2 AND revoked_at IS NULL LIMIT 1`,
      [userId, orgId],
    );
    return rows.length > 0;
  }

  async reassignTask(
    m: EntityManager,
    id: string,
    to: {
      responsibleOrgId: string;
      responsibleOrgPath: string;
      responsibleUserId: string;
      leaderUserId: string | null;
      at: Date;
      /**
       * A new responsible org: the blue window on its calendar, and the ladder re-planned from
       * now (as after a policy change) when it runs.
       */
      newOrg?: { blueFrom: Date | null };
    },
  ): Promise<void> {
    await m.query(
      `UPDATE tasks SET responsible_org_id = $2, responsible_org_path = $3::ltree,
              responsible_user_id = $4, leader_user_id = $5, version = version + 1, updated_at = $6,
              blue_from = CASE WHEN $7 THEN $8::timestamptz ELSE blue_from END,
              next_fire_at = CASE WHEN $7 AND state IN ('assigned', 'in_progress')
                                   AND due_at IS NOT NULL AND withdrawn_at IS NULL
                                  THEN $6 ELSE next_fire_at END,
              claimed_until = CASE WHEN $7 THEN NULL ELSE claimed_until END
        WHERE id = $1`,
      [
        id,
        to.responsibleOrgId,
        to.responsibleOrgPath,
        to.responsibleUserId,
        to.leaderUserId,
        to.at,
        to.newOrg !== undefined,
        to.newOrg?.blueFrom ?? null,
      ],
    );
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
