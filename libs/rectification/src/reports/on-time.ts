/*
 * The on-time rule, once for every report and for the annual assessment (考核), so that the
 * figures agree for the same period. `start`/`end` bound the period (a quarter or a year),
 * `now` is the instant of the report. A deadline counts once it has come, or earlier if the
 * measure is closed; a measure counts only when it was open at some time in the period.
 */
export const dueInPeriod = (start: string, end: string, now: string) =>
  `(t.due_at BETWEEN ${start} AND ${end} AND (t.due_at <= ${now} OR t.closed_at IS NOT NULL))`;
export const closedOnTime = `(t.closed_at IS NOT NULL AND t.closed_at <= t.due_at)`;
export const openInPeriod = (start: string, end: string) =>
  `(t.created_at <= ${end} AND (t.closed_at IS NULL OR t.closed_at >= ${start}))`;

/** closedOnTime / due, 0..1 to four decimals; null when nothing was due. */
export const onTimeRate = (onTime: number, due: number) =>
  due === 0 ? null : Math.round((onTime / due) * 10000) / 10000;
