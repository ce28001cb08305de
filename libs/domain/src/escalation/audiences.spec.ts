import { resolveAudiences, type AudienceContext, type RoleHolders } from './audiences';
import { DEFAULT_ESCALATION_POLICY } from './policy';

const ctx: AudienceContext = {
  responsibleUserId: 'resp',
  leaderUserId: 'lead',
  responsibleOrgId: 'branch',
  responsibleParentId: 'general',
  raisingOrgId: 'township',
  raisingAncestorIds: ['township', 'county', 'city'],
};

const table =
  (roles: Record<string, string[]>): RoleHolders =>
  (org, role) =>
    roles[`${org}/${role}`] ?? [];

describe('escalation audiences (压力层层传导)', () => {
  it('raiser means the raising org’s secretaries', () => {
    const r = resolveAudiences(
      ['raiser'],
      ctx,
      table({ 'township/secretary': ['ts1', 'ts2'], 'branch/secretary': ['bs'] }),
    );
    expect(r).toEqual({ userIds: ['ts1', 'ts2'], unreached: [] });
  });

  it('discipline resolves to the nearest org at or above the raising org that has one', () => {
    const holders = table({ 'county/discipline': ['cd'], 'city/discipline': ['xd'] });
    expect(resolveAudiences(['discipline'], ctx, holders).userIds).toEqual(['cd']);
    const own = table({ 'township/discipline': ['td'], 'county/discipline': ['cd'] });
    expect(resolveAudiences(['discipline'], ctx, own).userIds).toEqual(['td']);
  });

  it('names every audience that reaches nobody, and still reaches the others', () => {
    const r = resolveAudiences(
      ['responsible', 'leader', 'discipline', 'superior', 'raiser'],
      { ...ctx, leaderUserId: null },
      table({ 'general/secretary': ['gs'] }),
    );
    expect(r).toEqual({ userIds: ['resp', 'gs'], unreached: ['leader', 'discipline', 'raiser'] });
  });

  it('reports each person once', () => {
    const r = resolveAudiences(
      ['secretary', 'raiser'],
      { ...ctx, raisingOrgId: 'branch', raisingAncestorIds: ['branch'] },
      table({ 'branch/secretary': ['s'] }),
    );
    expect(r.userIds).toEqual(['s']);
  });

  it('the default policy tells the raising committee at 通报 and 问责', () => {
    const byName = new Map(DEFAULT_ESCALATION_POLICY.steps.map((s) => [s.name, s.notify]));
    expect(byName.get('通报')).toContain('raiser');
    expect(byName.get('问责')).toContain('raiser');
    expect(byName.get('催办')).not.toContain('raiser');
  });
});
