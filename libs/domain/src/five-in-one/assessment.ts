import { invalid } from '../kernel/errors';
import { REVIEW_GRADES, type ReviewGrade } from './reviews';

/** 考核: where each indicator's raw value comes from. */
export const INDICATOR_SOURCES = [
  'on_time_rate',
  'overdue_days',
  'relapses',
  'accountability_cases',
  'commitments',
  'review',
  'manual',
] as const;
export type IndicatorSource = (typeof INDICATOR_SOURCES)[number];

/** Org grades use the same four words as the review: 好 / 较好 / 一般 / 差. */
export const ASSESSMENT_GRADES = REVIEW_GRADES;
export type AssessmentGrade = ReviewGrade;

export interface SchemeIndicator {
  code: string;
  name: string;
  weight: number;
  source: IndicatorSource;
}

export interface SchemeGrade {
  grade: AssessmentGrade;
  minScore: number;
  /** At most this share (0..1) of the orgs may get this grade; the rest drop one grade. */
  maxShare?: number | null;
}

export interface AssessmentScheme {
  indicators: SchemeIndicator[];
  grades: SchemeGrade[];
}

/**
 * How a raw value becomes a score 0..100. Rates and review scores map directly; counts of
 * failures lose points per unit down to 0. A missing value (nothing was due, nothing was
 * rated, no review held) scores full marks: nothing was missed — except a manual indicator
 * nobody entered, which earns nothing.
 */
export const PENALTY_PER_UNIT: Partial<Record<IndicatorSource, number>> = {
  overdue_days: 2,
  relapses: 20,
  accountability_cases: 25,
};

const clamp = (x: number) => Math.min(100, Math.max(0, x));
const round2 = (x: number) => Math.round(x * 100) / 100;

export function indicatorScore(source: IndicatorSource, value: number | null): number {
  if (value === null) return source === 'manual' ? 0 : 100;
  switch (source) {
    case 'on_time_rate':
    case 'commitments':
      return round2(clamp(value * 100));
    case 'review':
    case 'manual':
      return round2(clamp(value));
    default:
      return round2(clamp(100 - value * PENALTY_PER_UNIT[source]!));
  }
}

/** Whether a larger raw value is better (true) or worse (false). */
export const HIGHER_IS_BETTER: Record<IndicatorSource, boolean> = {
  on_time_rate: true,
  commitments: true,
  review: true,
  manual: true,
  overdue_days: false,
  relapses: false,
  accountability_cases: false,
};

/** The weighted total of the scores (weights sum to 100), to two decimals. */
export function weightedTotal(
  indicators: readonly { weight: number }[],
  scores: readonly number[],
): number {
  return round2(indicators.reduce((s, ind, i) => s + (ind.weight * scores[i]) / 100, 0));
}

/** A scheme is valid when its weights sum to 100 and its grades descend; 400 naming the field. */
export function validateScheme(scheme: AssessmentScheme): void {
  const { indicators, grades } = scheme;
  if (indicators.length === 0)
    throw invalid('indicators', 'indicators：至少需要一项指标', 'required');
  const codes = new Set<string>();
  indicators.forEach((ind, i) => {
    if (!(INDICATOR_SOURCES as readonly string[]).includes(ind.source))
      throw invalid(
        `indicators[${i}].source`,
        `indicators[${i}].source 必须是 ${INDICATOR_SOURCES.join(' | ')}`,
        'invalid_enum',
      );
    if (!Number.isInteger(ind.weight) || ind.weight <= 0)
      throw invalid(
        `indicators[${i}].weight`,
        `indicators[${i}].weight：权重须为正整数`,
        'invalid_weight',
      );
    if (codes.has(ind.code))
      throw invalid(`indicators[${i}].code`, `indicators[${i}].code：指标代码重复`, 'duplicate');
    codes.add(ind.code);
  });
  const sum = indicators.reduce((s, ind) => s + ind.weight, 0);
  if (sum !== 100)
    throw invalid(
      'indicators',
      `indicators：各项指标权重之和须为 100，现为 ${sum}`,
      'weights_must_sum_to_100',
    );
  if (grades.length === 0) throw invalid('grades', 'grades：至少需要一个等次', 'required');
  const order = grades.map((g) => ASSESSMENT_GRADES.indexOf(g.grade));
  grades.forEach((g, i) => {
    if (order[i] < 0)
      throw invalid(
        `grades[${i}].grade`,
        `grades[${i}].grade 必须是 ${ASSESSMENT_GRADES.join(' | ')}`,
        'invalid_enum',
      );
    if (typeof g.minScore !== 'number' || g.minScore < 0 || g.minScore > 100)
      throw invalid(`grades[${i}].minScore`, `grades[${i}].minScore 须在 0..100`, 'out_of_range');
    if (g.maxShare != null && (g.maxShare < 0 || g.maxShare > 1))
      throw invalid(`grades[${i}].maxShare`, `grades[${i}].maxShare 须在 0..1`, 'out_of_range');
    if (i > 0 && (order[i] <= order[i - 1] || g.minScore >= grades[i - 1].minScore))
      throw invalid(
        'grades',
        'grades：须按 好 → 较好 → 一般 → 差 排列，分数线逐级降低，每个等次只出现一次',
        'grades_not_descending',
      );
  });
  if (grades[grades.length - 1].minScore !== 0)
    throw invalid('grades', 'grades：最低等次的分数线须为 0，保证每个组织都有等次', 'no_floor');
}

/** The grade a total earns by the thresholds alone. */
export function gradeByScore(total: number, grades: readonly SchemeGrade[]): AssessmentGrade {
  return (grades.find((g) => total >= g.minScore) ?? grades[grades.length - 1]).grade;
}

/**
 * Grades for every org: thresholds first, then caps from the top grade down. When more orgs
 * than `floor(maxShare × n)` earn a capped grade, the highest totals keep it and the rest drop
 * to the next grade of the scheme (where that grade's own cap applies in turn). Orgs tied at the
 * cut all drop together, so equal totals always get equal grades and the order of the input
 * never matters.
 */
export function gradeOrgs<T extends { orgId: string; total: number }>(
  rows: readonly T[],
  grades: readonly SchemeGrade[],
): Map<string, AssessmentGrade> {
  const result = new Map(rows.map((r) => [r.orgId, gradeByScore(r.total, grades)]));
  grades.forEach((g, i) => {
    const next = grades[i + 1];
    if (g.maxShare == null || !next) return;
    const allowed = Math.floor(g.maxShare * rows.length);
    const holders = rows
      .filter((r) => result.get(r.orgId) === g.grade)
      .sort((a, b) => b.total - a.total);
    if (holders.length <= allowed) return;
    // The total of the first org left out; everyone at or below it drops.
    const cut = holders[allowed].total;
    for (const r of holders) if (r.total <= cut) result.set(r.orgId, next.grade);
  });
  return result;
}
