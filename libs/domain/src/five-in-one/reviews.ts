import { conflict, forbidden, invalid } from '../kernel/errors';

/** 述职评议: the grades a voter gives a secretary (好 / 较好 / 一般 / 差). */
export const REVIEW_GRADES = ['good', 'fairly_good', 'average', 'poor'] as const;
export type ReviewGrade = (typeof REVIEW_GRADES)[number];

export const REVIEW_GRADE_LABELS: Record<ReviewGrade, string> = {
  good: '好',
  fairly_good: '较好',
  average: '一般',
  poor: '差',
};

/** The points of each grade; a subject's score is the mean over the ballots cast for them. */
export const REVIEW_GRADE_POINTS: Record<ReviewGrade, number> = {
  good: 100,
  fairly_good: 80,
  average: 60,
  poor: 40,
};

/** The lowest score of each grade of a closed review (below the last: 差). */
export const REVIEW_SCORE_GRADES: readonly { grade: ReviewGrade; minScore: number }[] = [
  { grade: 'good', minScore: 90 },
  { grade: 'fairly_good', minScore: 75 },
  { grade: 'average', minScore: 60 },
  { grade: 'poor', minScore: 0 },
];

export type ReviewState = 'open' | 'closed';
export type GradeCounts = Record<ReviewGrade, number>;

export const emptyCounts = (): GradeCounts => ({ good: 0, fairly_good: 0, average: 0, poor: 0 });

/**
 * Whether a ballot may be cast: the review is open (else 409 `review_closed`), the caller is on
 * the voting list (else 403 `not_a_voter`), the subject is one of the review's (else 400) and
 * the grade is known (else 400). A second ballot is refused by the voters' unique key (409
 * `already_voted`).
 */
export function checkBallot(input: {
  state: ReviewState;
  isVoter: boolean;
  subjectUserIds: readonly string[];
  subjectUserId: string;
  grade: string;
}): asserts input is typeof input & { grade: ReviewGrade } {
  if (input.state !== 'open') throw conflict('评议已结束，不能再投票', 'state', 'review_closed');
  if (!input.isVoter) throw forbidden('你不在本次评议的投票名单中', 'not_a_voter');
  if (!input.subjectUserIds.includes(input.subjectUserId))
    throw invalid('subjectUserId', 'subjectUserId：不是本次评议的述职对象', 'not_a_subject');
  if (!(REVIEW_GRADES as readonly string[]).includes(input.grade))
    throw invalid('grade', `grade 必须是 ${REVIEW_GRADES.join(' | ')}`, 'invalid_enum');
}

export function assertReviewOpen(state: ReviewState): void {
  if (state !== 'open') throw conflict('评议已结束', 'state', 'review_closed');
}

/** The weighted mean of the points, to two decimals; null when nobody voted. */
export function reviewScore(counts: GradeCounts): number | null {
  const n = REVIEW_GRADES.reduce((s, g) => s + counts[g], 0);
  if (n === 0) return null;
  const points = REVIEW_GRADES.reduce((s, g) => s + counts[g] * REVIEW_GRADE_POINTS[g], 0);
  return Math.round((points / n) * 100) / 100;
}

/** The grade of a score (null without ballots). */
export function reviewGrade(score: number | null): ReviewGrade | null {
  if (score === null) return null;
  return REVIEW_SCORE_GRADES.find((g) => score >= g.minScore)!.grade;
}

/** A review's setup: subjects and voters listed once each. */
export function validateReviewSetup(input: {
  subjects: readonly { orgId: string; userId: string }[];
  voterUserIds: readonly string[];
}): void {
  if (input.subjects.length === 0)
    throw invalid('subjects', 'subjects：至少需要一名述职对象', 'required');
  if (new Set(input.subjects.map((s) => s.userId)).size !== input.subjects.length)
    throw invalid('subjects', 'subjects：同一述职对象只能列一次', 'duplicate');
  if (input.voterUserIds.length === 0)
    throw invalid('voterUserIds', 'voterUserIds：至少需要一名投票人', 'required');
  if (new Set(input.voterUserIds).size !== input.voterUserIds.length)
    throw invalid('voterUserIds', 'voterUserIds：同一投票人只能列一次', 'duplicate');
}
