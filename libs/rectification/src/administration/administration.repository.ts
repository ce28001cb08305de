import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Actor, type OrgRef } from '#duban/domain';
import { pathToIds, returning, scopeCondition, scopeParams } from '#duban/persistence';

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

/**
 * The SQL of the administration use cases on problems and measures (problem edits and
 * withdrawals, reassignment); orgs, accounts and roles are libs/identity's repositories'.
 * Scope checks are in the SQL: a row outside the actor's scope is simply not found.
 */
@Injectable()
export class AdministrationRepository {
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
}
