import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { configDirectory } from '#duban/config';
import {
  Actor,
  CLOCK,
  type Clock,
  type EscalationPolicyDocument,
  holdsRoleOver,
  validatePolicyOrDocument,
  DomainError,
  forbidden,
  joinMessages,
} from '#duban/domain';
import { pathToIds } from '#duban/persistence';
import { TasksService } from '../tasks/tasks.service';

export const DEFAULT_POLICY = Symbol('DefaultEscalationPolicy');

/** Reads escalation-policy.json (config/ of the installation, or DUBAN_CONFIG_DIR) and validates it at start-up. */
export function loadDefaultPolicy(
  file = join(configDirectory(), 'escalation-policy.json'),
): EscalationPolicyDocument {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete raw.$comment;
  const r = validatePolicyOrDocument(raw);
  if (!r.ok) {
    throw new Error(`${file}: ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
  return r.value;
}

export interface EffectivePolicy {
  document: EscalationPolicyDocument;
  /** The org whose policy applies; null when the configured default applies. */
  fromOrgId: string | null;
  /** When that org's policy was last set; null for the configured default. */
  updatedAt: Date | null;
}

/**
 * A policy set on an org applies to the problems it raises and is inherited by the orgs below
 * it unless they set their own: the nearest ancestor-or-self with a policy wins.
 */
@Injectable()
export class EscalationPolicyService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEFAULT_POLICY) private readonly defaults: EscalationPolicyDocument,
    private readonly tasks: TasksService,
  ) {}

  async effective(m: EntityManager | DataSource, orgPath: string): Promise<EffectivePolicy> {
    const rows: { org_id: string; document: EscalationPolicyDocument; updated_at: Date }[] =
      await m.query(
        `SELECT ep.org_id, ep.document, ep.updated_at
           FROM escalation_policies ep JOIN orgs o ON o.id = ep.org_id
          WHERE $1::ltree <@ o.path ORDER BY nlevel(o.path) DESC LIMIT 1`,
        [orgPath],
      );
    return rows[0]
      ? { document: rows[0].document, fromOrgId: rows[0].org_id, updatedAt: rows[0].updated_at }
      : { document: this.defaults, fromOrgId: null, updatedAt: null };
  }

  /** The effective policy for each of several org paths, in one query (for a batch of tasks). */
  async effectiveMany(
    m: EntityManager | DataSource,
    orgPaths: readonly string[],
  ): Promise<Map<string, EffectivePolicy>> {
    const paths = [...new Set(orgPaths)];
    const rows: {
      path: string;
      org_id: string | null;
      document: EscalationPolicyDocument | null;
      updated_at: Date | null;
    }[] = paths.length
      ? await m.query(
          `SELECT x.path::text AS path, ep.org_id, ep.document, ep.updated_at
             FROM unnest($1::ltree[]) AS x(path)
             LEFT JOIN LATERAL (
               SELECT p.org_id, p.document, p.updated_at
                 FROM escalation_policies p JOIN orgs o ON o.id = p.org_id
                WHERE x.path <@ o.path ORDER BY nlevel(o.path) DESC LIMIT 1) ep ON true`,
          [paths],
        )
      : [];
    return new Map(
      rows.map((r) => [
        r.path,
        r.document && r.org_id
          ? { document: r.document, fromOrgId: r.org_id, updatedAt: r.updated_at }
          : { document: this.defaults, fromOrgId: null, updatedAt: null },
      ]),
    );
  }

  /**
   * Which policy governs the tasks a committee raises: its own, else the nearest org above it
   * with one (policyInherited), else the installation default (policyOrgId null). A branch's
   * own rule governs only the problems it and the orgs below it (without their own) raise.
   */
  async governing(
    raisingOrgId: string,
  ): Promise<{ policyOrgId: string | null; policyInherited: boolean }> {
    const rows: { org_id: string }[] = await this.db.query(
      `SELECT ep.org_id FROM escalation_policies ep JOIN orgs o ON o.id = ep.org_id
        WHERE (SELECT path FROM orgs WHERE id = $1) <@ o.path
        ORDER BY nlevel(o.path) DESC LIMIT 1`,
      [raisingOrgId],
    );
    const policyOrgId = rows[0]?.org_id ?? null;
    return { policyOrgId, policyInherited: policyOrgId !== raisingOrgId };
  }

  async get(actor: Actor, orgId: string): Promise<EffectivePolicy> {
    const org = await this.tasks.orgInScope(this.db.manager, actor, orgId, 'orgId');
    return this.effective(this.db, org.path);
  }

  /**
   * Sets the policy of a committee (its secretary, deputy or an admin over it). Open tasks it
   * raised are re-planned by the engine on its next sweep; steps already taken stay taken.
   */
  async put(actor: Actor, orgId: string, input: unknown): Promise<EffectivePolicy> {
    const org = await this.tasks.orgInScope(this.db.manager, actor, orgId, 'orgId');
    const ref = { id: org.id, path: pathToIds(org.path) };
    if (!actor.systemAdmin && !holdsRoleOver(actor, ref, ['admin', 'secretary', 'deputy'])) {
      throw forbidden(
        '设置升级规则须在该组织或其上级担任书记、副书记或管理员 — setting an escalation policy needs the secretary, deputy or admin role in this organisation or above it',
      );
    }
    const body = { ...(input as Record<string, unknown>) };
    delete body.inheritedFromOrgId;
    const r = validatePolicyOrDocument(body);
    if (!r.ok) {
      throw new DomainError(
        'invalid',
        joinMessages(r.errors.map((x) => x.message)),
        r.errors[0]?.field,
        r.errors,
      );
    }
    const now = this.clock.now();
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO escalation_policies (org_id, document, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id) DO UPDATE SET document = EXCLUDED.document, updated_by = EXCLUDED.updated_by,
           updated_at = EXCLUDED.updated_at`,
        [org.id, JSON.stringify(r.value), actor.userId, now],
      );
      await m.query(
        `UPDATE tasks SET next_fire_at = $2, claimed_until = NULL
          WHERE raising_org_path <@ $1::ltree AND state IN ('assigned', 'in_progress') AND due_at IS NOT NULL
            AND withdrawn_at IS NULL`,
        [org.path, now],
      );
    });
    return { document: r.value, fromOrgId: org.id, updatedAt: now };
  }
}
