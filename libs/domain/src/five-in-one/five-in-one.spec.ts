import fc from 'fast-check';
import type { Actor } from '../access/roles';
import { DomainError } from '../kernel/errors';
import {
  type AssessmentScheme,
  gradeOrgs,
  HIGHER_IS_BETTER,
  INDICATOR_SOURCES,
  indicatorScore,
  validateScheme,
  weightedTotal,
} from './assessment';
import {
  assertMayFile,
  assertMayRateAsMember,
  assertMayReview,
  COMMITMENT_RESULTS,
  commitmentTransition,
  fulfilmentRate,
  owesQuarterlyProgress,
  tallyIncrements,
  validateEvaluation,
  validateMemberRatings,
} from './commitments';
import { validateQuarterlyFeedback } from './quarterly-feedback';
import { checkBallot, reviewGrade, reviewScore } from './reviews';

function refusal(f: () => unknown): DomainError {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const county = { id: 'c', path: ['c'] };
const branch = { id: 'b', path: ['c', 'b'] };
const actor = (grants: Actor['grants']): Actor => ({ userId: 'u', systemAdmin: false, grants });

describe('commitments (承诺)', () => {
  it('walks draft → submitted → returned → submitted → approved → published → evaluated', () => {
    let s = commitmentTransition('draft', 'submit');
    s = commitmentTransition(s, 'return');
    expect(s).toBe('returned');
    s = commitmentTransition(s, 'submit');
    s = commitmentTransition(s, 'approve');
    s = commitmentTransition(s, 'publish');
    expect(commitmentTransition(s, 'evaluate')).toBe('evaluated');
  });

  it('refuses an action out of order with 409 naming the state', () => {
    const e = refusal(() => commitmentTransition('draft', 'publish'));
    expect(e.kind).toBe('conflict');
    expect(e.code).toBe('invalid_commitment_state');
    expect(refusal(() => commitmentTransition('published', 'approve')).kind).toBe('conflict');
  });

  it('lets the org file and only the superior review', () => {
    const own = actor([{ org: branch, role: 'secretary' }]);
    const superior = actor([{ org: county, role: 'secretary' }]);
    expect(() => assertMayFile(own, branch)).not.toThrow();
    expect(refusal(() => assertMayReview(own, branch)).kind).toBe('forbidden');
    expect(() => assertMayReview(superior, branch)).not.toThrow();
    expect(refusal(() => assertMayFile(superior, branch)).kind).toBe('forbidden');
    expect(
      refusal(() => assertMayFile(actor([{ org: branch, role: 'member' }]), branch)).kind,
    ).toBe('forbidden');
  });

  it('needs every item rated once, and counts partly as half', () => {
    expect(
      refusal(() => validateEvaluation(['a', 'b'], [{ itemId: 'a', result: 'fulfilled' }])).field,
    ).toBe('items');
    expect(refusal(() => validateEvaluation(['a'], [{ itemId: 'a', result: 'done' }])).field).toBe(
      'items[0].result',
    );
    expect(fulfilmentRate(['fulfilled', 'partly', 'not_fulfilled', 'fulfilled'])).toBe(0.625);
    expect(fulfilmentRate([])).toBeNull();
  });
});

describe('党员评诺: members rate the items of a published commitment', () => {
  const published = { orgId: 'b', userId: null, state: 'published' as const };

  it('lets anyone with a role in the org rate, once published and before the superior', () => {
    const member = actor([{ org: branch, role: 'member' }]);
    expect(() => assertMayRateAsMember(member, published)).not.toThrow();
    expect(() =>
      assertMayRateAsMember(actor([{ org: branch, role: 'deputy' }]), published),
    ).not.toThrow();
    const early = refusal(() => assertMayRateAsMember(member, { ...published, state: 'approved' }));
    expect([early.kind, early.code]).toEqual(['conflict', 'invalid_commitment_state']);
    expect(
      refusal(() => assertMayRateAsMember(member, { ...published, state: 'evaluated' })).kind,
    ).toBe('conflict');
  });

  it('refuses people of other orgs, the superior included, and the subject of a personal commitment', () => {
    const superior = refusal(() =>
      assertMayRateAsMember(actor([{ org: county, role: 'secretary' }]), published),
    );
    expect([superior.kind, superior.code]).toEqual(['forbidden', 'not_a_member']);
    const self = refusal(() =>
      assertMayRateAsMember(actor([{ org: branch, role: 'secretary' }]), {
        ...published,
        userId: 'u',
      }),
    );
    expect([self.kind, self.code]).toEqual(['forbidden', 'conflict_of_interest']);
  });

  it('accepts some of the items, each once, with a known result; 400 names the field', () => {
    expect(() =>
      validateMemberRatings(['a', 'b'], [{ itemId: 'b', result: 'partly' }]),
    ).not.toThrow();
    expect(refusal(() => validateMemberRatings(['a'], [])).field).toBe('items');
    expect(
      refusal(() => validateMemberRatings(['a'], [{ itemId: 'x', result: 'partly' }])).field,
    ).toBe('items[0].itemId');
    expect(
      refusal(() =>
        validateMemberRatings(
          ['a'],
          [
            { itemId: 'a', result: 'partly' },
            { itemId: 'a', result: 'fulfilled' },
          ],
        ),
      ).code,
    ).toBe('duplicate');
    expect(refusal(() => validateMemberRatings(['a'], [{ itemId: 'a', result: 'ok' }])).field).toBe(
      'items[0].result',
    );
  });

  it('touches every tally row of the commitment, adding exactly one per rated item', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom(...COMMITMENT_RESULTS), { minLength: 8, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        (items, results, rated) => {
          const ratings = items
            .map((itemId, i) => ({ itemId, result: results[i] }))
            .filter((_, i) => rated[i]);
          const rows = tallyIncrements(items, ratings);
          expect(rows.map((r) => r.itemId)).toEqual(items);
          rows.forEach((r, i) => {
            const sum = r.fulfilled + r.partly + r.not_fulfilled;
            expect(sum).toBe(rated[i] ? 1 : 0);
            if (rated[i]) expect(r[results[i]]).toBe(1);
          });
        },
      ),
    );
  });
});

describe('践诺 in the quarterly rhythm', () => {
  it('asks for progress on a published commitment of the year, once per quarter', () => {
    const c = { state: 'published' as const, year: 2026 };
    expect(owesQuarterlyProgress(c, '2026Q2', ['2026Q1'])).toBe(true);
    expect(owesQuarterlyProgress(c, '2026Q2', ['2026Q1', '2026Q2'])).toBe(false);
    expect(owesQuarterlyProgress(c, '2027Q1', [])).toBe(false);
    expect(owesQuarterlyProgress({ ...c, state: 'approved' }, '2026Q2', [])).toBe(false);
    expect(owesQuarterlyProgress({ ...c, state: 'evaluated' }, '2026Q4', [])).toBe(false);
  });
});

describe('季度进展反馈: one submission for measures and commitment items', () => {
  it('needs at least one entry and names a measure or an item once', () => {
    expect(
      refusal(() => validateQuarterlyFeedback({ measures: [], commitmentItems: [] })).field,
    ).toBe('measures');
    expect(() =>
      validateQuarterlyFeedback({
        measures: [{ taskId: 't' }],
        commitmentItems: [{ commitmentId: 'c', itemId: 'i' }],
      }),
    ).not.toThrow();
    expect(
      refusal(() =>
        validateQuarterlyFeedback({
          measures: [{ taskId: 't' }, { taskId: 't' }],
          commitmentItems: [],
        }),
      ).field,
    ).toBe('measures[1].taskId');
    expect(
      refusal(() =>
        validateQuarterlyFeedback({
          measures: [],
          commitmentItems: [
            { commitmentId: 'c', itemId: 'i' },
            { commitmentId: 'c', itemId: 'i' },
          ],
        }),
      ).field,
    ).toBe('commitmentItems[1].itemId');
  });
});

describe('述职评议 ballots and scores', () => {
  const base = {
    state: 'open' as const,
    isVoter: true,
    subjectUserIds: ['s1'],
    subjectUserId: 's1',
    grade: 'good',
  };

  it('refuses a ballot after close (409), off the list (403), for a non-subject or bad grade (400)', () => {
    expect(refusal(() => checkBallot({ ...base, state: 'closed' })).code).toBe('review_closed');
    expect(refusal(() => checkBallot({ ...base, isVoter: false })).kind).toBe('forbidden');
    expect(refusal(() => checkBallot({ ...base, subjectUserId: 'x' })).field).toBe('subjectUserId');
    expect(refusal(() => checkBallot({ ...base, grade: 'great' })).field).toBe('grade');
    expect(() => checkBallot(base)).not.toThrow();
  });

  it('scores the weighted mean of 100/80/60/40 and grades it', () => {
    expect(reviewScore({ good: 5, fairly_good: 3, average: 1, poor: 0 })).toBe(88.89);
    expect(reviewGrade(88.89)).toBe('fairly_good');
    expect(reviewGrade(90)).toBe('good');
    expect(reviewScore({ good: 0, fairly_good: 0, average: 2, poor: 7 })).toBe(44.44);
    expect(reviewGrade(44.44)).toBe('poor');
    expect(reviewScore({ good: 0, fairly_good: 0, average: 0, poor: 0 })).toBeNull();
  });
});

const SCHEME: AssessmentScheme = {
  indicators: [
    { code: 'on_time', name: '按期整改率', weight: 40, source: 'on_time_rate' },
    { code: 'overdue', name: '超期天数', weight: 20, source: 'overdue_days' },
    { code: 'cases', name: '问责案件', weight: 20, source: 'accountability_cases' },
    { code: 'review', name: '述职评议', weight: 20, source: 'review' },
  ],
  grades: [
    { grade: 'good', minScore: 90, maxShare: 0.3 },
    { grade: 'fairly_good', minScore: 75 },
    { grade: 'average', minScore: 60 },
    { grade: 'poor', minScore: 0 },
  ],
};

describe('考核 scheme, scores and grades', () => {
  it('accepts a sound scheme', () => {
    expect(() => validateScheme(SCHEME)).not.toThrow();
  });

  it('refuses weights that do not sum to 100, naming the field', () => {
    const bad = { ...SCHEME, indicators: SCHEME.indicators.map((i) => ({ ...i, weight: 20 })) };
    const e = refusal(() => validateScheme(bad));
    expect(e.kind).toBe('invalid');
    expect(e.field).toBe('indicators');
    expect(e.code).toBe('weights_must_sum_to_100');
  });

  it('refuses grades out of order, and a scheme without a floor', () => {
    expect(
      refusal(() => validateScheme({ ...SCHEME, grades: [...SCHEME.grades].reverse() })).field,
    ).toBe('grades');
    expect(
      refusal(() => validateScheme({ ...SCHEME, grades: SCHEME.grades.slice(0, 3) })).code,
    ).toBe('no_floor');
  });

  it('scores each source on 0..100', () => {
    expect(indicatorScore('on_time_rate', 0.75)).toBe(75);
    expect(indicatorScore('on_time_rate', null)).toBe(100);
    expect(indicatorScore('manual', null)).toBe(0);
    expect(indicatorScore('overdue_days', 10)).toBe(80);
    expect(indicatorScore('overdue_days', 500)).toBe(0);
    expect(indicatorScore('accountability_cases', 1)).toBe(75);
    expect(weightedTotal(SCHEME.indicators, [75, 80, 75, 100])).toBe(81);
  });

  it('drops the orgs beyond the cap on 好 one grade, ties together', () => {
    const rows = [
      { orgId: 'a', total: 95 },
      { orgId: 'b', total: 93 },
      { orgId: 'c', total: 93 },
      { orgId: 'd', total: 91 },
      { orgId: 'e', total: 70 },
      { orgId: 'f', total: 40 },
    ];
    const g = gradeOrgs(rows, SCHEME.grades); // cap: floor(0.3 × 6) = 1
    expect(Object.fromEntries(g)).toEqual({
      a: 'good',
      b: 'fairly_good',
      c: 'fairly_good',
      d: 'fairly_good',
      e: 'average',
      f: 'poor',
    });
  });

  it('property: every score is monotonic in its raw value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INDICATOR_SOURCES),
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        (source, x, y) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const a = indicatorScore(source, lo);
          const b = indicatorScore(source, hi);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(100);
          if (HIGHER_IS_BETTER[source]) expect(b).toBeGreaterThanOrEqual(a);
          else expect(b).toBeLessThanOrEqual(a);
        },
      ),
    );
  });

  it('property: the total never falls when one indicator score rises', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (scores, i, bump) => {
          const better = [...scores];
          better[i] = Math.min(100, scores[i] + bump);
          expect(weightedTotal(SCHEME.indicators, better)).toBeGreaterThanOrEqual(
            weightedTotal(SCHEME.indicators, scores),
          );
        },
      ),
    );
  });

  it('property: caps are respected, equal totals get equal grades, input order does not matter', () => {
    const order = ['good', 'fairly_good', 'average', 'poor'];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (totals, goodShare, fairShare) => {
          const grades = [
            { grade: 'good' as const, minScore: 90, maxShare: goodShare },
            { grade: 'fairly_good' as const, minScore: 75, maxShare: fairShare },
            { grade: 'average' as const, minScore: 60 },
            { grade: 'poor' as const, minScore: 0 },
          ];
          const rows = totals.map((total, i) => ({ orgId: `o${i}`, total }));
          const g = gradeOrgs(rows, grades);
          const count = (grade: string) => [...g.values()].filter((x) => x === grade).length;
          expect(count('good')).toBeLessThanOrEqual(Math.floor(goodShare * rows.length));
          expect(count('fairly_good')).toBeLessThanOrEqual(Math.floor(fairShare * rows.length));
          for (const a of rows)
            for (const b of rows) {
              if (a.total === b.total) expect(g.get(a.orgId)).toBe(g.get(b.orgId));
              // a higher total never gets a worse grade
              if (a.total > b.total)
                expect(order.indexOf(g.get(a.orgId)!)).toBeLessThanOrEqual(
                  order.indexOf(g.get(b.orgId)!),
                );
            }
          const reversed = gradeOrgs([...rows].reverse(), grades);
          expect(Object.fromEntries(reversed)).toEqual(Object.fromEntries(g));
        },
      ),
    );
  });
});
