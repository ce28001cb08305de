import fc from 'fast-check';
import { findBadText, isAcceptableText, nestingDepth, textProblem } from './text';

describe('acceptable text', () => {
  it('refuses lone surrogates and NUL, accepts pairs, CJK, RTL marks and emoji', () => {
    expect(textProblem('\ud800')).toBe('lone_surrogate');
    expect(textProblem('a\udc00')).toBe('lone_surrogate');
    expect(textProblem('\udc00\ud800')).toBe('lone_surrogate');
    expect(textProblem('x\u0000y')).toBe('nul');
    for (const ok of ['', '督办', '😀', '\u200f\u202eabc', '\ud83d\ude00', 'é']) {
      expect(isAcceptableText(ok)).toBe(true);
    }
  });

  it('agrees with String.prototype.isWellFormed on any UTF-16 string', () => {
    const wellFormed = (s: string) =>
      (s as unknown as { isWellFormed(): boolean }).isWellFormed() && !s.includes('\u0000');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(isAcceptableText(s)).toBe(wellFormed(s));
      }),
      { seed: 20261201, numRuns: 2000 },
    );
  });

  it('names every bad string at any depth, and bad keys by their parent', () => {
    expect(
      findBadText({
        title: 'ok',
        tasks: [{ measure: 'ok' }, { measure: '\ud800' }],
        steps: [{ name: 'a\u0000' }],
        nested: { ['k\ud800']: 1 },
      }),
    ).toEqual([
      { field: 'tasks[1].measure', problem: 'lone_surrogate' },
      { field: 'steps[0].name', problem: 'nul' },
      { field: 'nested', problem: 'lone_surrogate' },
    ]);
    expect(findBadText('\ud800')).toEqual([{ field: 'body', problem: 'lone_surrogate' }]);
    expect(findBadText({ q: ['a', '\u0000'] })).toEqual([{ field: 'q[1]', problem: 'nul' }]);
    expect(findBadText({ a: 1, b: null, c: true })).toEqual([]);
  });

  it('measures nesting', () => {
    expect(nestingDepth(1)).toBe(0);
    expect(nestingDepth({ a: [{ b: 1 }] })).toBe(3);
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(nestingDepth(deep)).toBe(65);
  });
});
