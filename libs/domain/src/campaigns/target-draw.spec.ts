import fc from 'fast-check';
import { DomainError } from '../kernel/errors';
import { drawTargets, seededRandom } from './target-draw';

const branches = Array.from({ length: 40 }, (_, i) => `org-${String(i).padStart(2, '0')}`);

describe('drawTargets (四不两直 spot-check draw)', () => {
  it('draws the same targets from the same seed and population', () => {
    const a = drawTargets(branches, 5, '2026Q4-抽查');
    const b = drawTargets(branches, 5, '2026Q4-抽查');
    expect(a.drawn).toEqual(b.drawn);
    expect(a.drawn).toHaveLength(5);
    expect(new Set(a.drawn).size).toBe(5);
  });

  it('does not depend on the order the population comes in', () => {
    const shuffled = [...branches].reverse();
    expect(drawTargets(shuffled, 5, 'seed-1').drawn).toEqual(
      drawTargets(branches, 5, 'seed-1').drawn,
    );
  });

  it('records the population sorted, with the seed and algorithm', () => {
    const d = drawTargets([...branches].reverse(), 3, 'x');
    expect(d.population).toEqual(branches);
    expect(d).toMatchObject({ seed: 'x', count: 3, algorithm: 'cyrb128-sfc32-fisher-yates-v1' });
  });

  it('draws different targets from different seeds', () => {
    const draws = new Set(
      ['a', 'b', 'c', 'd', 'e'].map((s) => drawTargets(branches, 5, s).drawn.join()),
    );
    expect(draws.size).toBeGreaterThan(1);
  });

  it('refuses a draw larger than its population, naming targetDraw.count', () => {
    let error: unknown;
    try {
      drawTargets(branches.slice(0, 4), 5, 's');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'invalid', field: 'targetDraw.count' });
  });

  it('refuses a count below one', () => {
    expect(() => drawTargets(branches, 0, 's')).toThrow(DomainError);
  });

  it('always draws distinct members of the population', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 60 }),
        fc.string(),
        fc.nat(),
        (population, seed, n) => {
          const count = (n % population.length) + 1;
          const d = drawTargets(population, count, seed);
          expect(new Set(d.drawn).size).toBe(count);
          for (const id of d.drawn) expect(population).toContain(id);
        },
      ),
    );
  });

  it('generates floats in [0, 1) deterministically', () => {
    const a = seededRandom('s');
    const b = seededRandom('s');
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
