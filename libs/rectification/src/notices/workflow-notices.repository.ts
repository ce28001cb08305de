import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type NoticeRoleHolder, type OrgRef, type Role } from '#duban/domain';
import { pathToIds } from '#duban/persistence';

/** The reads workflow notices need; they write nothing of their own (the notices do). */
@Injectable()
export class WorkflowNoticesRepository {
  /**
   * Every role held by an active person in the raising org, the orgs above it, or the
   * responsible org (the last for the conflict rule): who may judge, and who may not.
   */
  async holders(
    m: EntityManager,
    raisingOrgId: string,
    responsibleOrgId: string,
  ): Promise<NoticeRoleHolder[]> {
    const rows: { user_id: string; org_id: string; path: string; role: Role }[] = await m.query(
      `SELECT ra.user_id, o.id AS org_id, o.path::text AS path, ra.role
         FROM role_assignments ra
         JOIN orgs o ON o.id = ra.org_id
         JOIN users u ON u.id = ra.user_id AND u.active
        WHERE ra.revoked_at IS NULL
          AND (o.path @> (SELECT path FROM orgs WHERE id = $1) OR o.id = $2)
        ORDER BY ra.user_id, o.id, ra.role`,
      [raisingOrgId, responsibleOrgId],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      org: { id: r.org_id, path: pathToIds(r.path) } satisfies OrgRef,
      role: r.role,
    }));
  }

  async problemTitle(m: EntityManager, problemId: string): Promise<string> {
    const rows: { title: string }[] = await m.query(`SELECT title FROM problems WHERE id = $1`, [
      problemId,
    ]);
    return rows[0]?.title ?? '';
  }
}
