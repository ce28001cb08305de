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
import { TasksRepository } from '../tasks/tasks.repository';
import { TasksService } from '../tasks/tasks.service';
import { PoliciesRepository, type StoredPolicy } from './policies.repository';

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

const managerOf = (m: EntityManager | DataSource): EntityManager =>
  m instanceof DataSource ? m.manager : m;

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
    private readonly policies: PoliciesRepository,
    private readonly taskRows: TasksRepository,
  ) {}

  /** The org's policy if it has one, else the configured default. */
  private effectiveOf(stored: StoredPolicy | null): EffectivePolicy {
    return stored
      ? { document: stored.document, fromOrgId: stored.orgId, updatedAt: stored.updatedAt }
      : { document: this.defaults, fromOrgId: null, updatedAt: null };
  }

  async effective(m: EntityManager | DataSource, orgPath: string): Promise<EffectivePolicy> {
    return this.effectiveOf(await this.policies.nearest(managerOf(m), orgPath));
  }

  /** The effective policy for each of several org paths, in one query (for a batch of tasks). */
  async effectiveMany(
    m: EntityManager | DataSource,
    orgPaths: readonly string[],
  ): Promise<Map<string, EffectivePolicy>> {
    const stored = await this.policies.nearestMany(managerOf(m), [...new Set(orgPaths)]);
    return new Map([...stored].map(([path, p]) => [path, this.effectiveOf(p)]));
  }

  /**
   * Which policy governs the tasks a committee raises: its own, else the nearest org above it
   * with one (policyInherited), else the installation default (policyOrgId null). A branch's
   * own rule governs only the problems it and the orgs below it (without their own) raise.
   */
  async governing(
    raisingOrgId: string,
  ): Promise<{ policyOrgId: string | null; policyInherited: boolean }> {
    const policyOrgId = await this.policies.governingOrgId(this.db.manager, raisingOrgId);
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
      await this.policies.put(m, org.id, r.value, actor.userId, now);
      await this.taskRows.replanRaisedUnder(m, org.path, now);
    });
    return { document: r.value, fromOrgId: org.id, updatedAt: now };
  }
}
