/**
 * The sweep runs on a cron pattern (BullMQ job schedulers with `pattern` are the robust kind;
 * see NOTES.md on `every`). An interval maps to a pattern only when it divides a minute, an
 * hour or a day evenly; anything else is refused so the real rhythm never drifts from the
 * configured one.
 */
export function sweepCronPattern(intervalMs: number): string {
  const problem = () =>
    new Error(
      `DUBAN_SWEEP_INTERVAL_MS must be whole seconds dividing a minute (1000, 2000, 5000, 10000, ` +
        `15000, 30000), whole minutes dividing an hour (60000, 300000, 600000, …) or whole hours ` +
        `dividing a day; got ${intervalMs}`,
    );
  if (!Number.isInteger(intervalMs) || intervalMs < 1000 || intervalMs % 1000 !== 0)
    throw problem();
  const seconds = intervalMs / 1000;
  if (seconds < 60) {
    if (60 % seconds !== 0) throw problem();
    return seconds === 1 ? '* * * * * *' : `*/${seconds} * * * * *`;
  }
  if (seconds % 60 !== 0) throw problem();
  const minutes = seconds / 60;
  if (minutes < 60) {
    if (60 % minutes !== 0) throw problem();
    return minutes === 1 ? '0 * * * * *' : `0 */${minutes} * * * *`;
  }
  if (minutes % 60 !== 0) throw problem();
  const hours = minutes / 60;
  if (hours > 24 || 24 % hours !== 0) throw problem();
  return hours === 24 ? '0 0 0 * * *' : `0 0 */${hours} * * *`;
}
