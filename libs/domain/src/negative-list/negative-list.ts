import { holdsRoleIn } from '../lifecycle/permissions';
import type { Actor, OrgRef } from '../access/roles';
import { PROBLEM_SEVERITIES, type ProblemSeverity } from '../escalation/policy';

/**
 * 负面清单: units and persons that keep failing, with consequences while listed. Each entry
 * carries its reasons; it leaves by itself after 12 clean months (no new reason), or earlier
 * when lifted with a written reason.
 */

export const NEGATIVE_LIST_SUBJECTS = ['org', 'user'] as const;
export type NegativeListSubject = (typeof NEGATIVE_LIST_SUBJECTS)[number];

export const NEGATIVE_REASON_KINDS = [
  /** The same category recurred in the same org within 12 months (屡改屡犯). */
  'recurrence',
  /** 回头看 found a closed measure back. */
  'relapse',
  /** Two accountability cases within 12 months. */
  'accountability_cases',
  /** Measures overdue beyond the 通报 step twice in a year. */
  'circulated_twice',
] as const;
export type NegativeReasonKind = (typeof NEGATIVE_REASON_KINDS)[number];

export const NEGATIVE_REASON_LABELS: Record<NegativeReasonKind, string> = {
  recurrence: '同类问题12个月内在同一单位反复出现',
  relapse: '回头看发现整改反弹',
  accountability_cases: '12个月内两次被问责',
  circulated_twice: '一年内两次整改逾期被通报',
};

export interface NegativeReason {
  readonly kind: NegativeReasonKind;
  /** ISO instant. */
  readonly at: string;
  /** What it refers to: a problem, task, reinspection or accountability case id. */
  readonly ref: string;
}

/** How long a clean record keeps an entry on the list, in months. */
export const NEGATIVE_LIST_MONTHS = 12;
/** How many cases, or 通报-level overdue measures, within a year list a unit. */
export const REPEAT_THRESHOLD = 2;

/** When an entry whose last reason came at `lastReasonAt` leaves by itself. */
export function expiresAt(lastReasonAt: Date): Date {
  const d = new Date(lastReasonAt.getTime());
  d.setUTCMonth(d.getUTCMonth() + NEGATIVE_LIST_MONTHS);
  return d;
}

export function isListed(entry: { liftedAt: Date | null; lastReasonAt: Date }, now: Date): boolean {
  return entry.liftedAt === null && now.getTime() < expiresAt(entry.lastReasonAt).getTime();
}

/** A listed unit's new problems start one severity higher (critical stays critical). */
export function severityWhileListed(severity: ProblemSeverity, listed: boolean): ProblemSeverity {
  if (!listed) return severity;
  const i = PROBLEM_SEVERITIES.indexOf(severity);
  return PROBLEM_SEVERITIES[Math.min(i + 1, PROBLEM_SEVERITIES.length - 1)];
}

/**
 * While its unit is listed, a measure is closed (销号) only by a secretary of the raising org
 * itself — not a deputy, not an org above. Returns why not, or null.
 */
export function listedCloseRefusal(actor: Actor, raisingOrg: OrgRef): string | null {
  if (holdsRoleIn(actor, raisingOrg, ['secretary'])) return null;
  return '责任单位已列入负面清单：其整改措施须由立项党组织书记本人审批销号';
}

/** Whether so many events within the year (cases, 通报-level overdue measures) list a unit. */
export function reachesThreshold(countWithinYear: number): boolean {
  return countWithinYear >= REPEAT_THRESHOLD;
}
