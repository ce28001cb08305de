import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  type Actor,
  notFound,
  type PopulationMember,
  type ProblemSeverity,
  type ReinspectedTask,
  type ReinspectionPolicy,
  type ReinspectionState,
  type Role,
  type TaskSnapshot,
} from '#duban/domain';
import { pathToIds, returning, scopeCondition, scopeParams } from '#duban/persistence';
import { TASK_COLUMNS, TASK_FROM, toSnapshot, type TaskRow } from '../tasks/task-record';

export interface DrawRecord {
  id: string;
  orgId: string;
  quarter: string;
  seed: string;
  population: string[];
  populationSeverities: Record<string, ProblemSeverity>;
  sampleTaskIds: string[];
  policy: ReinspectionPolicy;
  drawnAt: string;
  drawnBy: string | null;
}

export interface ReinspectionRecord {
  id: string;
  drawId: string;
  quarter: string;
  taskId: string;
  taskMeasure: string;
  responsibleOrgId: string;
  responsibleOrgName: string;
  raisingOrgId: string;
  inspectorUserId: string | null;
  dueAt: string;
  overdue: boolean;
  state: ReinspectionState;
  note: string | null;
  attachmentIds: string[];
  resultBy: string | null;
  resultAt: string | null;
  createdAt: string;
}

export interface NewReinspection {
  id: string;
  drawId: string;
  taskId: string;
  raisingOrgId: string;
  orgPath: string;
  inspectorUserId: string | null;
  dueAt: Date;
  createdAt: Date;
}

/** A sampled measure as the draw needs it: its parties, who judged it, its org. */
export type SampledTask = TaskSnapshot &
  ReinspectedTask & {
    id: string;
    measure: string;
    raisingOrgId: string;
    responsibleOrgId: string;
    responsibleOrgName: string;
    responsibleOrgPath: string;
    timeZone: string;
  };

interface DrawRow {
  id: string;
  org_id: string;
  quarter: string;
  seed: string;
  population: PopulationMember[];
  sample_task_ids: string[];
  policy: ReinspectionPolicy;
  drawn_at: Date;
  drawn_by: string | null;
}

const toDraw = (r: DrawRow): DrawRecord => ({
  id: r.id,
  orgId: r.org_id,
  quarter: r.quarter,
  seed: r.seed,
  population: r.population.map((p) => p.taskId),
  populationSeverities: Object.fromEntries(r.population.map((p) => [p.taskId, p.severity])),
  sampleTaskIds: r.sample_task_ids,
  policy: r.policy,
  drawnAt: r.drawn_at.toISOString(),
  drawnBy: r.drawn_by,
});

interface ReinspectionRow {
  id: string;
  draw_id: string;
  quarter: string;
  task_id: string;
  measure: string;
  responsible_org_id: string;
  responsible_org_name: string;
  raising_org_id: string;
  inspector_user_id: string | null;
  due_at: Date;
  state: ReinspectionState;
  note: string | null;
  attachment_ids: string[];
  result_by: string | null;
  result_at: Date | null;
  created_at: Date;
}

const REINSPECTION_SELECT = `
  SELECT r.id, r.draw_id, d.quarter, r.task_id, t.measure, t.responsible_org_id, ro.name AS responsible_org_name,
         r.raising_org_id, r.inspector_user_id, r.due_at, r.state, r.note, r.attachment_ids, r.result_by,
         r.result_at, r.created_at
    FROM reinspections r
    JOIN reinspection_draws d ON d.id = r.draw_id
    JOIN tasks t ON t.id = r.task_id
    JOIN orgs ro ON ro.id = t.responsible_org_id`;

const toReinspection = (r: ReinspectionRow, now: Date): ReinspectionRecord => ({
  id: r.id,
  drawId: r.draw_id,
  quarter: r.quarter,
  taskId: r.task_id,
  taskMeasure: r.measure,
  responsibleOrgId: r.responsible_org_id,
  responsibleOrgName: r.responsible_org_name,
  raisingOrgId: r.raising_org_id,
  inspectorUserId: r.inspector_user_id,
  dueAt: r.due_at.toISOString(),
  overdue: r.state === 'pending' && r.due_at.getTime() < now.getTime(),
  state: r.state,
  note: r.note,
  attachmentIds: r.attachment_ids,
  resultBy: r.result_by,
  resultAt: r.result_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

const DRAW_COLUMNS = `id, org_id, quarter, seed, population, sample_task_ids, policy, drawn_at, drawn_by`;

/** Every statement of 回头看; the only writer of reinspection_policies, _draws and reinspections. */
@Injectable()
export class ReinspectionRepository {
  async putPolicy(
    m: EntityManager,
    orgId: string,
    policy: ReinspectionPolicy,
    userId: string,
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO reinspection_policies (org_id, rate, always_severities, inspector_role, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id) DO UPDATE SET rate = $2, always_severities = $3, inspector_role = $4,
              updated_by = $5, updated_at = $6`,
      [orgId, policy.rate, policy.alwaysSeverities, policy.inspectorRole, userId, now],
    );
  }

  /** The policy of the org or of its nearest ancestor that has one. */
  async effectivePolicy(
    m: EntityManager,
    orgPath: string,
  ): Promise<{ policy: ReinspectionPolicy; fromOrgId: string } | null> {
    const rows: {
      org_id: string;
      rate: string;
      always_severities: ProblemSeverity[];
      inspector_role: string;
    }[] = await m.query(
      `SELECT rp.org_id, rp.rate, rp.always_severities, rp.inspector_role
           FROM reinspection_policies rp JOIN orgs o ON o.id = rp.org_id
          WHERE o.path @> $1::ltree ORDER BY nlevel(o.path) DESC LIMIT 1`,
      [orgPath],
    );
    if (rows.length === 0) return null;
    return {
      fromOrgId: rows[0].org_id,
      policy: {
        rate: Number(rows[0].rate),
        alwaysSeverities: rows[0].always_severities,
        inspectorRole: rows[0].inspector_role as ReinspectionPolicy['inspectorRole'],
      },
    };
  }

  /** The measures the org raised that were closed (and are still closed) within [from, to]. */
  async population(
    m: EntityManager,
    orgId: string,
    from: Date,
    to: Date,
  ): Promise<PopulationMember[]> {
    const rows: { id: string; severity: ProblemSeverity }[] = await m.query(
      `SELECT t.id, p.severity FROM tasks t JOIN problems p ON p.id = t.problem_id
        WHERE t.raising_org_id = $1 AND t.state = 'closed' AND t.closed_at BETWEEN $2 AND $3
        ORDER BY t.id`,
      [orgId, from, to],
    );
    return rows.map((r) => ({ taskId: r.id, severity: r.severity }));
  }

  /** Orgs of this zone that raised measures closed in [from, to], with a policy to draw by. */
  async orgsToDraw(
    m: EntityManager,
    timeZone: string,
    quarter: string,
    from: Date,
    to: Date,
  ): Promise<{ id: string; path: string; time_zone: string }[]> {
    return m.query(
      `SELECT o.id, o.path::text AS path, o.time_zone FROM orgs o
        WHERE o.time_zone = $1
          AND EXISTS (SELECT 1 FROM tasks t WHERE t.raising_org_id = o.id AND t.state = 'closed'
                         AND t.closed_at BETWEEN $2 AND $3)
          AND EXISTS (SELECT 1 FROM reinspection_policies rp JOIN orgs po ON po.id = rp.org_id
                       WHERE po.path @> o.path)
          AND NOT EXISTS (SELECT 1 FROM reinspection_draws d WHERE d.org_id = o.id AND d.quarter = $4)
        ORDER BY o.id`,
      [timeZone, from, to, quarter],
    );
  }

  async findDraw(m: EntityManager, orgId: string, quarter: string): Promise<DrawRecord | null> {
    const rows: DrawRow[] = await m.query(
      `SELECT ${DRAW_COLUMNS} FROM reinspection_draws WHERE org_id = $1 AND quarter = $2`,
      [orgId, quarter],
    );
    return rows.length ? toDraw(rows[0]) : null;
  }

  async drawInScope(m: EntityManager, actor: Actor, id: string): Promise<DrawRecord> {
    const rows: DrawRow[] = await m.query(
      `SELECT ${DRAW_COLUMNS} FROM reinspection_draws
        WHERE id = $1 AND ${scopeCondition('org_path', '$2', '$3')}`,
      [id, ...scopeParams(actor)],
    );
    if (rows.length === 0) throw notFound(`抽查记录 ${id} 不存在或不在你的范围内`, 'not_in_scope');
    return toDraw(rows[0]);
  }

  /** The draw, unless one exists already for the org and quarter (then null: nothing written). */
  async insertDraw(
    m: EntityManager,
    d: {
      id: string;
      orgId: string;
      orgPath: string;
      quarter: string;
      seed: string;
      population: PopulationMember[];
      sample: string[];
      policy: ReinspectionPolicy;
      drawnAt: Date;
      drawnBy: string | null;
    },
  ): Promise<DrawRecord | null> {
    const rows: DrawRow[] = await m.query(
      `INSERT INTO reinspection_draws (id, org_id, org_path, quarter, seed, population, sample_task_ids, policy,
          drawn_at, drawn_by)
       VALUES ($1, $2, $3::ltree, $4, $5, $6::jsonb, $7::uuid[], $8::jsonb, $9, $10)
       ON CONFLICT (org_id, quarter) DO NOTHING RETURNING ${DRAW_COLUMNS}`,
      [
        d.id,
        d.orgId,
        d.orgPath,
        d.quarter,
        d.seed,
        JSON.stringify(d.population),
        d.sample,
        JSON.stringify(d.policy),
        d.drawnAt,
        d.drawnBy,
      ],
    );
    return rows.length ? toDraw(rows[0]) : null;
  }

  /** The sampled measures with their parties and who verified (验收) or closed (销号) them. */
  async sampledTasks(m: EntityManager, ids: readonly string[]): Promise<SampledTask[]> {
    if (ids.length === 0) return [];
    const rows: (TaskRow & { time_zone: string })[] = await m.query(
      `SELECT ${TASK_COLUMNS}, ro.time_zone FROM ${TASK_FROM} WHERE t.id = ANY($1::uuid[]) ORDER BY t.id`,
      [[...ids]],
    );
    const judged = await this.judgedBy(m, ids);
    return rows.map((r) => ({
      ...toSnapshot(r),
      measure: r.measure,
      raisingOrgId: r.raising_org_id,
      responsibleOrgId: r.responsible_org_id,
      responsibleOrgName: r.responsible_org_name,
      responsibleOrgPath: r.responsible_org_path,
      timeZone: r.time_zone,
      verifiedBy: judged.get(r.id)?.verified ?? [],
      closedBy: judged.get(r.id)?.closed ?? [],
    }));
  }

  async judgedBy(
    m: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, { verified: string[]; closed: string[] }>> {
    const rows: { stream_id: string; type: string; actor_id: string }[] = await m.query(
      `SELECT stream_id, type, actor_id FROM audit_events
        WHERE stream_type = 'task' AND stream_id = ANY($1::uuid[]) AND actor_id IS NOT NULL
          AND type IN ('verification_passed', 'closed')`,
      [[...ids]],
    );
    const out = new Map<string, { verified: string[]; closed: string[] }>();
    for (const r of rows) {
      const e = out.get(r.stream_id) ?? { verified: [], closed: [] };
      (r.type === 'closed' ? e.closed : e.verified).push(r.actor_id);
      out.set(r.stream_id, e);
    }
    return out;
  }

  /** The holders of `role` at the org (active users), each with every grant they hold. */
  async candidates(m: EntityManager, orgId: string, role: Role): Promise<Actor[]> {
    const rows: { user_id: string; org_id: string; path: string; role: Role }[] = await m.query(
      `SELECT ra.user_id, o.id AS org_id, o.path::text AS path, ra.role
         FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
        WHERE ra.user_id IN (SELECT c.user_id FROM role_assignments c JOIN users u ON u.id = c.user_id AND u.active
                              WHERE c.org_id = $1 AND c.role = $2 AND c.revoked_at IS NULL)
          AND ra.revoked_at IS NULL
        ORDER BY ra.user_id`,
      [orgId, role],
    );
    const byUser = new Map<string, Actor>();
    for (const r of rows) {
      const a = byUser.get(r.user_id) ?? { userId: r.user_id, systemAdmin: false, grants: [] };
      byUser.set(r.user_id, {
        ...a,
        grants: [...a.grants, { org: { id: r.org_id, path: pathToIds(r.path) }, role: r.role }],
      });
    }
    return [...byUser.values()];
  }

  async insertReinspections(m: EntityManager, rows: readonly NewReinspection[]): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `INSERT INTO reinspections (id, draw_id, task_id, raising_org_id, org_path, inspector_user_id, due_at, state,
          created_at)
       SELECT x.id, x.draw_id, x.task_id, x.raising_org_id, x.org_path::ltree, x.inspector, x.due_at, 'pending', x.created_at
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::timestamptz[],
                     $8::timestamptz[])
           AS x(id, draw_id, task_id, raising_org_id, org_path, inspector, due_at, created_at)
       ON CONFLICT (draw_id, task_id) DO NOTHING`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.drawId),
        rows.map((r) => r.taskId),
        rows.map((r) => r.raisingOrgId),
        rows.map((r) => r.orgPath),
        rows.map((r) => r.inspectorUserId),
        rows.map((r) => r.dueAt),
        rows.map((r) => r.createdAt),
      ],
    );
  }

  async list(
    m: EntityManager,
    actor: Actor,
    filter: { orgPath?: string; state?: ReinspectionState; drawId?: string },
    now: Date,
  ): Promise<ReinspectionRecord[]> {
    const params: unknown[] = [...scopeParams(actor)];
    const where = [scopeCondition('r.org_path', '$1', '$2')];
    if (filter.orgPath) {
      params.push(filter.orgPath);
      where.push(`r.org_path <@ $${params.length}::ltree`);
    }
    if (filter.state) {
      params.push(filter.state);
      where.push(`r.state = $${params.length}`);
    }
    if (filter.drawId) {
      params.push(filter.drawId);
      where.push(`r.draw_id = $${params.length}`);
    }
    const rows: ReinspectionRow[] = await m.query(
      `${REINSPECTION_SELECT} WHERE ${where.join(' AND ')} ORDER BY r.due_at, r.id LIMIT 1000`,
      params,
    );
    return rows.map((r) => toReinspection(r, now));
  }

  async lockInScope(
    m: EntityManager,
    actor: Actor,
    id: string,
    now: Date,
  ): Promise<ReinspectionRecord> {
    const rows: ReinspectionRow[] = await m.query(
      `${REINSPECTION_SELECT} WHERE r.id = $1 AND ${scopeCondition('r.org_path', '$2', '$3')} FOR UPDATE OF r`,
      [id, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(`回头看任务 ${id} 不存在或不在你的范围内`, 'not_in_scope');
    return toReinspection(rows[0], now);
  }

  async saveResult(
    m: EntityManager,
    id: string,
    r: { state: ReinspectionState; note: string; attachmentIds: string[]; by: string; at: Date },
  ): Promise<void> {
    await m.query(
      `UPDATE reinspections SET state = $2, note = $3, attachment_ids = $4::uuid[], result_by = $5, result_at = $6
        WHERE id = $1`,
      [id, r.state, r.note, r.attachmentIds, r.by, r.at],
    );
  }

  /** Pending re-inspections past their deadline whose overdue notice has not gone out. */
  async overdueUnnotified(m: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM reinspections WHERE state = 'pending' AND overdue_notified_at IS NULL AND due_at <= $1
        ORDER BY due_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Marks the overdue notice sent; only the ids this call marked (the exactly-once guard). */
  async markOverdueNotified(
    m: EntityManager,
    ids: readonly string[],
    now: Date,
  ): Promise<
    {
      id: string;
      task_id: string;
      inspector_user_id: string | null;
      raising_org_id: string;
      measure: string;
      org_name: string;
      quarter: string;
    }[]
  > {
    return returning(
      m,
      `UPDATE reinspections r SET overdue_notified_at = $2
         FROM tasks t, orgs ro, reinspection_draws d
        WHERE r.id = ANY($1::uuid[]) AND r.state = 'pending' AND r.overdue_notified_at IS NULL
          AND r.due_at <= $2 AND t.id = r.task_id AND ro.id = t.responsible_org_id AND d.id = r.draw_id
        RETURNING r.id, r.task_id, r.inspector_user_id, r.raising_org_id, t.measure, ro.name AS org_name,
                  d.quarter`,
      [[...ids], now],
    );
  }

  /** The active secretaries of the orgs (told of an overdue re-inspection). */
  async secretariesOf(
    m: EntityManager,
    orgIds: readonly string[],
  ): Promise<{ orgId: string; userId: string }[]> {
    const rows: { org_id: string; user_id: string }[] = await m.query(
      `SELECT ra.org_id, ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.active
        WHERE ra.org_id = ANY($1::uuid[]) AND ra.role = 'secretary' AND ra.revoked_at IS NULL`,
      [orgIds],
    );
    return rows.map((r) => ({ orgId: r.org_id, userId: r.user_id }));
  }

  async existingAttachments(m: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM attachments WHERE id = ANY($1::uuid[])`,
      [[...ids]],
    );
    return new Set(rows.map((r) => r.id));
  }
}
