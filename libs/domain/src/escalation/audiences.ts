import type { Audience } from './policy';

/**
 * Who an escalation audience means for one task (压力层层传导): pure, so that the ladder, the
 * accountability case and the tests agree. Roles are looked up through `holders(orgId, role)`;
 * `raisingAncestorIds` are the raising org and its ancestors, nearest first, so that
 * `discipline` finds the nearest org at or above the raising org that has a discipline
 * inspector.
 */
export interface AudienceContext {
  readonly responsibleUserId: string;
  readonly leaderUserId: string | null;
  readonly responsibleOrgId: string;
  readonly responsibleParentId: string | null;
  readonly raisingOrgId: string;
  /** The raising org first, then its parent, … up to the root. */
  readonly raisingAncestorIds: readonly string[];
}

export type RoleHolders = (orgId: string, role: string) => readonly string[];

export interface ResolvedAudiences {
  /** Everyone the audiences reach, each once, in the order found. */
  readonly userIds: string[];
  /** The audiences that resolved to nobody: recorded on the step, never silently dropped. */
  readonly unreached: Audience[];
}

/** The users one audience means (possibly none). */
export function audienceMembers(
  audience: Audience,
  ctx: AudienceContext,
  holders: RoleHolders,
): readonly string[] {
  switch (audience) {
    case 'responsible':
      return [ctx.responsibleUserId];
    case 'leader':
      return ctx.leaderUserId ? [ctx.leaderUserId] : [];
    case 'secretary':
      return holders(ctx.responsibleOrgId, 'secretary');
    case 'superior':
      return ctx.responsibleParentId ? holders(ctx.responsibleParentId, 'secretary') : [];
    case 'supervisor':
      return holders(ctx.raisingOrgId, 'supervisor');
    case 'raiser':
      return holders(ctx.raisingOrgId, 'secretary');
    case 'discipline': {
      const chain = ctx.raisingAncestorIds.length ? ctx.raisingAncestorIds : [ctx.raisingOrgId];
      for (const orgId of chain) {
        const found = holders(orgId, 'discipline');
        if (found.length > 0) return found;
      }
      return [];
    }
  }
}

/** Resolves a step's audiences; an audience that reaches nobody is named in `unreached`. */
export function resolveAudiences(
  audiences: readonly Audience[],
  ctx: AudienceContext,
  holders: RoleHolders,
): ResolvedAudiences {
  const ids = new Set<string>();
  const unreached: Audience[] = [];
  for (const audience of audiences) {
    const members = audienceMembers(audience, ctx, holders);
    if (members.length === 0) unreached.push(audience);
    members.forEach((u) => ids.add(u));
  }
  return { userIds: [...ids], unreached };
}
