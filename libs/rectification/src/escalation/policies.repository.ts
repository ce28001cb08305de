import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { EscalationPolicyDocument } from '#duban/domain';

/** A policy set on an org. */
export interface StoredPolicy {
  orgId: string;
  document: EscalationPolicyDocument;
  updatedAt: Date;
}

/**
 * The only writer of `escalation_policies`. A policy set on an org governs the orgs below it
 * unless they set their own: the reads find the nearest ancestor-or-self with one.
 */
@Injectable()
export class PoliciesRepository {
  /** The policy nearest at or above the org at `orgPath`; null when none is set. */
  async nearest(m: EntityManager, orgPath: string): Promise<StoredPolicy | null> {
    const rows: { org_id: string; document: EscalationPolicyDocument; updated_at: Date }[] =
      await m.query(
        `SELECT ep.org_id, ep.document, ep.updated_at
           FROM escalation_policies ep JOIN orgs o ON o.id = ep.org_id
          WHERE $1::ltree <@ o.path ORDER BY nlevel(o.path) DESC LIMIT 1`,
        [orgPath],
      );
    return rows[0]
      ? { orgId: rows[0].org_id, document: rows[0].document, updatedAt: rows[0].updated_at }
      : null;
  }

  /** The nearest policy for each of several org paths, in one statement (null where none). */
  async nearestMany(
    m: EntityManager,
    orgPaths: readonly string[],
  ): Promise<Map<string, StoredPolicy | null>> {
    if (orgPaths.length === 0) return new Map();
    const rows: {
      path: string;
      org_id: string | null;
      document: EscalationPolicyDocument | null;
      updated_at: Date | null;
    }[] = await m.query(
      `SELECT x.path::text AS path, ep.org_id, ep.document, ep.updated_at
         FROM unnest($1::ltree[]) AS x(path)
         LEFT JOIN LATERAL (
           SELECT p.org_id, p.document, p.updated_at
             FROM escalation_policies p JOIN orgs o ON o.id = p.org_id
            WHERE x.path <@ o.path ORDER BY nlevel(o.path) DESC LIMIT 1) ep ON true`,
      [orgPaths],
    );
    return new Map(
      rows.map((r) => [
        r.path,
        r.document && r.org_id
          ? { orgId: r.org_id, document: r.document, updatedAt: r.updated_at! }
          : null,
      ]),
    );
  }

  /** The org whose policy governs what the org `orgId` raises (its own or inherited); null for none. */
  async governingOrgId(m: EntityManager, orgId: string): Promise<string | null> {
    const rows: { org_id: string }[] = await m.query(
      `SELECT ep.org_id FROM escalation_policies ep JOIN orgs o ON o.id = ep.org_id
        WHERE (SELECT path FROM orgs WHERE id = $1) <@ o.path
        ORDER BY nlevel(o.path) DESC LIMIT 1`,
      [orgId],
    );
    return rows[0]?.org_id ?? null;
  }

  /** Sets (or replaces) the org's policy. */
  async put(
    m: EntityManager,
    orgId: string,
    document: EscalationPolicyDocument,
    updatedBy: string,
    at: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO escalation_policies (org_id, document, updated_by, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id) DO UPDATE SET document = EXCLUDED.document, updated_by = EXCLUDED.updated_by,
         updated_at = EXCLUDED.updated_at`,
      [orgId, JSON.stringify(document), updatedBy, at],
    );
  }
}
