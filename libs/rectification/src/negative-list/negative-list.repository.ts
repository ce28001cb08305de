import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  type Actor,
  type NegativeListSubject,
  type NegativeReason,
  NEGATIVE_LIST_MONTHS,
  notFound,
} from '#duban/domain';
import { returning, scopeCondition, scopeParams } from '#duban/persistence';

export interface NegativeListEntry {
  id: string;
  subjectType: NegativeListSubject;
  subjectId: string;
  subjectName: string;
  orgId: string;
  raisingOrgId: string;
  reasons: NegativeReason[];
  since: string;
  lastReasonAt: string;
  /** When it left the list: lifted by hand, or 12 clean months after the last reason. */
  liftedAt?: string;
  liftKind?: 'lifted' | 'expired';
  liftReason?: string;
  listed: boolean;
}

interface EntryRow {
  id: string;
  subject_type: NegativeListSubject;
  subject_id: string;
  subject_name: string;
  org_id: string;
  raising_org_id: string;
  reasons: NegativeReason[];
  since: Date;
  last_reason_at: Date;
  lifted_at: Date | null;
  lift_kind: 'lifted' | 'expired' | null;
  lift_reason: string | null;
  expires_at: Date;
}

const EXPIRY = `(e.last_reason_at + interval '${NEGATIVE_LIST_MONTHS} months')`;
/** Listed now ($now): not lifted, last reason under 12 months old. */
export const listedSql = (now: string) => `(e.lifted_at IS NULL AND ${EXPIRY} > ${now})`;

const SELECT = `
  SELECT e.id, e.subject_type, e.subject_id,
         COALESCE(so.name, su.display_name) AS subject_name, e.org_id, e.raising_org_id, e.reasons,
         e.since, e.last_reason_at, e.lifted_at, e.lift_kind, e.lift_reason, ${EXPIRY} AS expires_at
    FROM negative_list_entries e
    LEFT JOIN orgs so ON e.subject_type = 'org' AND so.id = e.subject_id
    LEFT JOIN users su ON e.subject_type = 'user' AND su.id = e.subject_id`;

function toEntry(r: EntryRow, now: Date): NegativeListEntry {
  const expired = r.lifted_at === null && r.expires_at.getTime() <= now.getTime();
  const liftedAt = r.lifted_at ?? (expired ? r.expires_at : null);
  return {
    id: r.id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    orgId: r.org_id,
    raisingOrgId: r.raising_org_id,
    reasons: r.reasons,
    since: r.since.toISOString(),
    lastReasonAt: r.last_reason_at.toISOString(),
    ...(liftedAt
      ? {
          liftedAt: liftedAt.toISOString(),
          liftKind: r.lift_kind ?? 'expired',
          ...(r.lift_reason ? { liftReason: r.lift_reason } : {}),
        }
      : {}),
    listed: liftedAt === null,
  };
}

/** Every statement of the negative list; the only writer of negative_list_entries. */
@Injectable()
export class NegativeListRepository {
  async isOrgListed(m: EntityManager, orgId: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM negative_list_entries e
        WHERE e.subject_type = 'org' AND e.subject_id = $1 AND ${listedSql('$2')}`,
      [orgId, now],
    );
    return rows.length > 0;
  }

  /** Closes the subject's open entry if 12 clean months have passed (it left by itself). */
  async closeExpired(
    m: EntityManager,
    subjectType: NegativeListSubject,
    subjectId: string,
    now: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE negative_list_entries e SET lifted_at = ${EXPIRY}, lift_kind = 'expired'
        WHERE e.subject_type = $1 AND e.subject_id = $2 AND e.lifted_at IS NULL AND ${EXPIRY} <= $3`,
      [subjectType, subjectId, now],
    );
  }

  /** Adds a reason to the subject's open entry; its id, or null when none is open. */
  async addReason(
    m: EntityManager,
    subjectType: NegativeListSubject,
    subjectId: string,
    reason: NegativeReason,
    now: Date,
  ): Promise<string | null> {
    const rows = await returning<{ id: string }>(
      m,
      `UPDATE negative_list_entries e
          SET reasons = CASE WHEN e.reasons @> $3::jsonb THEN e.reasons ELSE e.reasons || $4::jsonb END,
              last_reason_at = greatest(e.last_reason_at, $5)
        WHERE e.subject_type = $1 AND e.subject_id = $2 AND e.lifted_at IS NULL
        RETURNING e.id`,
      [
        subjectType,
        subjectId,
        JSON.stringify([{ kind: reason.kind, ref: reason.ref }]),
        JSON.stringify([reason]),
        now,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /** A new open entry; null when another transaction opened one first. */
  async insert(
    m: EntityManager,
    e: {
      id: string;
      subjectType: NegativeListSubject;
      subjectId: string;
      orgId: string;
      raisingOrgId: string;
      reason: NegativeReason;
      now: Date;
    },
  ): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO negative_list_entries (id, subject_type, subject_id, org_id, org_path, raising_org_id, reasons,
          since, last_reason_at)
       SELECT $1, $2, $3, o.id, o.path, $5, $6::jsonb, $7, $7 FROM orgs o WHERE o.id = $4
       ON CONFLICT (subject_type, subject_id) WHERE lifted_at IS NULL DO NOTHING
       RETURNING id`,
      [
        e.id,
        e.subjectType,
        e.subjectId,
        e.orgId,
        e.raisingOrgId,
        JSON.stringify([e.reason]),
        e.now,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async list(
    m: EntityManager,
    actor: Actor,
    filter: { orgPath?: string; listedOnly?: boolean },
    now: Date,
  ): Promise<NegativeListEntry[]> {
    const params: unknown[] = [...scopeParams(actor), now];
    const where = [scopeCondition('e.org_path', '$1', '$2')];
    if (filter.orgPath) {
      params.push(filter.orgPath);
      where.push(`e.org_path <@ $${params.length}::ltree`);
    }
    if (filter.listedOnly) where.push(listedSql('$3'));
    const rows: EntryRow[] = await m.query(
      `${SELECT} WHERE ${where.join(' AND ')} AND $3::timestamptz IS NOT NULL
        ORDER BY (${listedSql('$3')}) DESC, e.since DESC, e.id LIMIT 2000`,
      params,
    );
    return rows.map((r) => toEntry(r, now));
  }

  async lockInScope(
    m: EntityManager,
    actor: Actor,
    id: string,
    now: Date,
  ): Promise<NegativeListEntry & { raisingOrgPath: string }> {
    const rows: (EntryRow & { raising_org_path: string })[] = await m.query(
      `SELECT ro.path::text AS raising_org_path, x.* FROM (${SELECT}
        WHERE e.id = $1 AND ${scopeCondition('e.org_path', '$2', '$3')} FOR UPDATE OF e) x
        JOIN orgs ro ON ro.id = x.raising_org_id`,
      [id, ...scopeParams(actor)],
    );
    if (rows.length === 0)
      throw notFound(`负面清单记录 ${id} 不存在或不在你的范围内`, 'not_in_scope');
    return { ...toEntry(rows[0], now), raisingOrgPath: rows[0].raising_org_path };
  }

  async lift(m: EntityManager, id: string, by: string, reason: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE negative_list_entries SET lifted_at = $2, lift_kind = 'lifted', lift_reason = $3, lifted_by = $4
        WHERE id = $1`,
      [id, now, reason, by],
    );
  }

  /** Accountability cases about the org (or naming the user) opened since `since`. */
  async casesSince(
    m: EntityManager,
    subject: { orgId?: string; userId?: string },
    since: Date,
  ): Promise<number> {
    const rows: { n: number }[] = await m.query(
      subject.orgId
        ? `SELECT count(*)::int AS n FROM accountability_cases WHERE subject_org_id = $1 AND opened_at >= $2`
        : // @>, not = ANY(): the GIN index on the people named answers only the former.
          `SELECT count(*)::int AS n FROM accountability_cases
            WHERE subject_user_ids @> ARRAY[$1::uuid] AND opened_at >= $2`,
      [subject.orgId ?? subject.userId, since],
    );
    return rows[0].n;
  }

  /** The org's measures that reached the 通报 step (level ≥ `level`) since `since`. */
  async circulatedSince(
    m: EntityManager,
    orgId: string,
    level: number,
    since: Date,
  ): Promise<number> {
    const rows: { n: number }[] = await m.query(
      // The org's own measures through the path index (tasks has no index on the org id), then
      // their effects by task: cost in the org's measures, not in a year of everyone's effects.
      `SELECT count(*)::int AS n
         FROM orgs o JOIN tasks t ON t.responsible_org_path = o.path AND t.responsible_org_id = o.id
         JOIN task_effects e ON e.task_id = t.id
        WHERE o.id = $1 AND e.kind = 'step' AND e.level = $2 AND NOT e.superseded
          AND e.fired_at >= $3`,
      [orgId, level, since],
    );
    return rows[0].n;
  }

  /** The name of a listed org, or the display name of a listed person; null when not found. */
  async subjectName(
    m: EntityManager,
    subjectType: NegativeListSubject,
    subjectId: string,
  ): Promise<string | null> {
    const names: { name: string }[] = await m.query(
      subjectType === 'org'
        ? `SELECT name FROM orgs WHERE id = $1`
        : `SELECT display_name AS name FROM users WHERE id = $1`,
      [subjectId],
    );
    return names[0]?.name ?? null;
  }

  /** Secretaries of the raising org and discipline inspectors at the nearest org at or above it. */
  async toTell(m: EntityManager, raisingOrgId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await m.query(
      `WITH up AS (
         SELECT a.id, nlevel(a.path) AS depth FROM orgs o JOIN orgs a ON a.path @> o.path WHERE o.id = $1
       ), discipline AS (
         SELECT ra.user_id FROM role_assignments ra JOIN up ON up.id = ra.org_id
           JOIN users u ON u.id = ra.user_id AND u.active
          WHERE ra.role = 'discipline' AND ra.revoked_at IS NULL
            AND up.depth = (SELECT max(up2.depth) FROM up up2 JOIN role_assignments r2 ON r2.org_id = up2.id
                             WHERE r2.role = 'discipline' AND r2.revoked_at IS NULL)
       )
       SELECT ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id AND u.active
        WHERE ra.org_id = $1 AND ra.role = 'secretary' AND ra.revoked_at IS NULL
       UNION SELECT user_id FROM discipline`,
      [raisingOrgId],
    );
    return rows.map((r) => r.user_id);
  }
}
