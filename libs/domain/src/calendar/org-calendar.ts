import type { CalendarOverride } from './working-day-calendar';

/**
 * The overrides in force for an organisation: the national ones, then those of each org from
 * the root of the tree down to it (民族自治地方 keep holidays of their own), the nearest
 * organisation's entry for a date winning over those above it and over the national one.
 * `layers` are ordered root first.
 */
export function mergeCalendarOverrides(
  national: readonly CalendarOverride[],
  layers: readonly (readonly CalendarOverride[])[],
): CalendarOverride[] {
  const byDate = new Map<string, CalendarOverride>();
  for (const layer of [national, ...layers]) {
    for (const override of layer) byDate.set(override.date, override);
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}
