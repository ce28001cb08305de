import { addCalendarDays } from '../calendar/local-date';
import { localDateOf, type Quarter, quarterOf, startOfLocalDay } from '../calendar/time-zone';

/**
 * The quarterly notice (季度进展反馈) as a pure rule. The start run asks every responsible person
 * for a report by the end of the grace period; the late run, at that moment, turns the tasks
 * still without a report yellow. Decided here: when the start run happens only at or after the
 * end of the grace period (a fresh install, the worker down for weeks, a new zone mid-quarter),
 * it sends nothing — asking for a report "by" a date already past is nonsense, and the late run,
 * due on the same sweep, is the one message people get. Before that moment the start run sends,
 * and its report-by date is in the future.
 */
export type QuarterStartPlan =
  | { readonly send: true; readonly reportBy: Date }
  | { readonly send: false; readonly reason: 'grace_period_over' };

export function quarterStartPlan(now: Date, reportLateAt: Date): QuarterStartPlan {
  return now.getTime() < reportLateAt.getTime()
    ? { send: true, reportBy: reportLateAt }
    : { send: false, reason: 'grace_period_over' };
}

/** A progress report still missing this many days into the quarter turns the task yellow. */
export const REPORT_GRACE_DAYS = 15;

/** When the grace period of a quarter ends, in the same zone: 00:00 local on day 16. */
export function reportLateAt(q: Quarter, timeZone: string): Date {
  return startOfLocalDay(
    addCalendarDays(localDateOf(q.start, timeZone), REPORT_GRACE_DAYS),
    timeZone,
  );
}

export type QuarterRunKind = 'start' | 'late';

/** A quarterly run that is due: in one zone, for its current quarter. */
export interface QuarterRunDue {
  readonly timeZone: string;
  readonly quarter: Quarter;
  readonly kind: QuarterRunKind;
}

/**
 * The quarterly runs due now, for the zones in use: each zone's current quarter starts once,
 * and goes late once its grace period is over; `done` says which already happened (by zone,
 * quarter label and kind). Start before late within a zone, zones in the order given.
 */
export function quarterRunsDue(
  now: Date,
  zones: readonly string[],
  done: (timeZone: string, quarter: string, kind: QuarterRunKind) => boolean,
): QuarterRunDue[] {
  const due: QuarterRunDue[] = [];
  for (const timeZone of zones) {
    const quarter = quarterOf(now, timeZone);
    if (!done(timeZone, quarter.label, 'start')) due.push({ timeZone, quarter, kind: 'start' });
    if (
      !done(timeZone, quarter.label, 'late') &&
      now.getTime() >= reportLateAt(quarter, timeZone).getTime()
    ) {
      due.push({ timeZone, quarter, kind: 'late' });
    }
  }
  return due;
}
