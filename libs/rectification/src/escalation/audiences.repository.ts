import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Read-only: who the ladder's audiences mean for a batch of tasks, in two statements for the
 * whole batch (orgs and role_assignments are written by the identity repositories).
 */
@Injectable()
export class AudiencesRepository {
  /** For each org path: the orgs at or above it, nearest first. */
  async ancestorsOf(m: EntityManager, paths: readonly string[]): Promise<Map<string, string[]>> {
    const ancestors = new Map<string, string[]>();
    if (paths.length === 0) return ancestors;
    const chain: { raising_path: string; id: string }[] = await m.query(
      `SELECT r.path AS raising_path, o.id
         FROM unnest($1::text[]) AS r(path) JOIN orgs o ON o.path @> r.path::ltree
        ORDER BY r.path, nlevel(o.path) DESC`,
      [paths],
    );
    for (const c of chain) {
      const list = ancestors.get(c.raising_path);
      if (list) list.push(c.id);
      else ancestors.set(c.raising_path, [c.id]);
    }
    return ancestors;
  }

  /** Active users holding a ladder role in any of the orgs, ordered by user id. */
  async roleHolders(
    m: EntityManager,
    orgIds: readonly string[],
  ): Promise<{ orgId: string; role: string; userId: string }[]> {
    if (orgIds.length === 0) return [];
    const rows: { org_id: string; role: string; user_id: string }[] = await m.query(
      `SELECT ra.org_id, ra.role, ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.active
        WHERE ra.org_id = ANY($1::uuid[]) AND ra.revoked_at IS NULL
          AND ra.role IN ('secretary', 'supervisor', 'discipline')
        ORDER BY ra.user_id`,
      [orgIds],
    );
    return rows.map((r) => ({ orgId: r.org_id, role: r.role, userId: r.user_id }));
  }
}
