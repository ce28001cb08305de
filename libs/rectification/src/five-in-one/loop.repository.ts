import type { EntityManager } from 'typeorm';
import type { Actor } from '#duban/domain';
import { scopeCondition, scopeParams } from '#duban/persistence';

export interface LoopOrgRow {
  id: string;
  path: string;
  name: string;
  time_zone: string;
  parent_id: string | null;
}

const ORG_SELECT = `SELECT id, path::text AS path, name, time_zone, parent_id FROM orgs`;

/**
 * The reads the five-in-one loop's services share (orgs, people, evidence, secretaries). It
 * writes nothing; stateless, so the loop's helpers share one instance.
 */
export class LoopRepository {
  async orgInScope(m: EntityManager, actor: Actor, orgId: string): Promise<LoopOrgRow | null> {
    const rows: LoopOrgRow[] = await m.query(
      `${ORG_SELECT} WHERE id = $1 AND ${scopeCondition('path', '$2', '$3')}`,
      [orgId, ...scopeParams(actor)],
    );
    return rows[0] ?? null;
  }

  async orgById(m: EntityManager, orgId: string): Promise<LoopOrgRow | null> {
    const rows: LoopOrgRow[] = await m.query(`${ORG_SELECT} WHERE id = $1`, [orgId]);
    return rows[0] ?? null;
  }

  /** Which of the ids are active people. */
  async activeUserIds(m: EntityManager, userIds: readonly string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM users WHERE id = ANY($1::uuid[]) AND active`,
      [userIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** How many of the attachments the person uploaded. */
  async countOwnAttachments(
    m: EntityManager,
    userId: string,
    ids: readonly string[],
  ): Promise<number> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM attachments WHERE id = ANY($1::uuid[]) AND uploaded_by = $2`,
      [ids, userId],
    );
    return rows[0].n;
  }

  async secretariesOf(m: EntityManager, orgId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await m.query(
      `SELECT DISTINCT user_id FROM role_assignments WHERE org_id = $1 AND role = 'secretary' AND revoked_at IS NULL`,
      [orgId],
    );
    return rows.map((r) => r.user_id);
  }
}
