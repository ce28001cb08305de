import type { Actor } from '../access/roles';
import {
  drawSample,
  pickReinspector,
  reinspectorConflict,
  validateReinspectionPolicy,
  type PopulationMember,
  type ReinspectedTask,
} from './reinspection';

const population: PopulationMember[] = Array.from({ length: 40 }, (_, i) => ({
  taskId: `task-${String(i).padStart(2, '0')}`,
  severity: i === 7 ? 'critical' : i % 5 === 0 ? 'serious' : 'general',
}));
const county = { id: 'county', path: ['county'] };
const branch = { id: 'branch', path: ['county', 'branch'] };
const person = (userId: string, orgs: { id: string; path: string[] }[] = [county]): Actor => ({
  userId,
  systemAdmin: false,
  grants: orgs.map((org) => ({ org, role: 'supervisor' as const })),
});
const task: ReinspectedTask & { id: string } = {
  id: 't1',
  responsibleUserId: 'resp',
  responsibleOrg: branch,
  actedBy: ['resp'],
  lastSubmittedBy: null,
  verifiedBy: ['verifier'],
  closedBy: ['closer'],
};

describe('回头看: the seeded draw', () => {
  const policy = { rate: 0.1, alwaysSeverities: ['critical' as const] };

  it('draws ⌈rate × population⌉ plus every measure of an always-severity', () => {
    const sample = drawSample('seed-1', population, policy);
    expect(sample).toHaveLength(5);
    expect(sample).toContain('task-07');
    expect(new Set(sample).size).toBe(5);
  });

  it('gives the same sample from the same seed and population, in any order', () => {
    const a = drawSample('seed-1', population, policy);
    const b = drawSample('seed-1', [...population].reverse(), policy);
    expect(b).toEqual(a);
    expect(drawSample('seed-2', population, policy)).not.toEqual(a);
  });

  it('never draws more than the population, and nothing from nothing', () => {
    expect(drawSample('s', population.slice(0, 3), { rate: 1, alwaysSeverities: [] })).toHaveLength(
      3,
    );
    expect(drawSample('s', [], { rate: 0.5, alwaysSeverities: ['critical'] })).toEqual([]);
    expect(drawSample('s', population, { rate: 0, alwaysSeverities: [] })).toEqual([]);
  });
});

describe('回头看: who re-inspects', () => {
  it('never the one who closed or verified it, nor anyone with a conflict of interest', () => {
    expect(reinspectorConflict(person('closer'), task)).toMatch(/销号/);
    expect(reinspectorConflict(person('verifier'), task)).toMatch(/验收/);
    expect(reinspectorConflict(person('resp'), task)).not.toBeNull();
    expect(reinspectorConflict(person('branch-member', [branch]), task)).not.toBeNull();
    expect(reinspectorConflict(person('other'), task)).toBeNull();
  });

  it('picks a free candidate, reproducibly, or nobody', () => {
    const candidates = [person('closer'), person('a'), person('verifier'), person('b')];
    const chosen = pickReinspector('seed', task, candidates);
    expect(['a', 'b']).toContain(chosen);
    expect(pickReinspector('seed', task, [...candidates].reverse())).toBe(chosen);
    expect(pickReinspector('seed', task, [person('closer'), person('verifier')])).toBeNull();
  });
});

describe('回头看: the policy', () => {
  it('accepts a rate, severities and a role; names each bad field', () => {
    expect(
      validateReinspectionPolicy({
        rate: 0.2,
        alwaysSeverities: ['critical'],
        inspectorRole: 'supervisor',
      }),
    ).toEqual({
      ok: true,
      value: { rate: 0.2, alwaysSeverities: ['critical'], inspectorRole: 'supervisor' },
    });
    const bad = validateReinspectionPolicy({
      rate: 2,
      alwaysSeverities: ['huge'],
      inspectorRole: 'member',
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors.map((e) => e.field)).toEqual([
        'rate',
        'alwaysSeverities[0]',
        'inspectorRole',
      ]);
  });
});
