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
