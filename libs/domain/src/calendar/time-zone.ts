import { addCalendarDays, formatLocalDate, LocalDate, parseLocalDate } from './local-date';

/**
 * Local dates and times in an organisation's time zone, with the built-in Intl data only.
 * A deadline given as a date (dueDate) means the end of that day where the organisation is,
 * and a quarter (季度) starts at local midnight, so every conversion names its zone.
 */

export interface LocalTime {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

export const START_OF_DAY: LocalTime = { hour: 0, minute: 0, second: 0, millisecond: 0 };

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws a RangeError for an unknown zone, which is what callers should see.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function requireInstant(instant: Date): number {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid instant');
  return t;
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

/** The wall clock at `ms` as Intl formats it: exact, and some microseconds per call. */
function formattedWallClock(ms: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields['year'] ?? NaN,
    month: fields['month'] ?? NaN,
    day: fields['day'] ?? NaN,
    // Some engines still print midnight as 24 even with h23.
    hour: (fields['hour'] ?? NaN) % 24,
    minute: fields['minute'] ?? NaN,
    second: fields['second'] ?? NaN,
    // Zone offsets are whole seconds, so the millisecond is the same everywhere.
    millisecond: ((ms % 1000) + 1000) % 1000,
  };
}

const HOUR_MS = 3_600_000;
/** Offsets by zone and UTC hour, NaN for an hour in which the zone's offset changes. */
const hourOffsets = new Map<string, number>();
const HOUR_OFFSETS_KEPT = 50_000;

/**
 * The zone's offset for every instant of the UTC hour of `ms`, or NaN when it changes within
 * that hour. Read from Intl at the hour's first and last second and kept: a quarter start
 * renders tens of thousands of deadlines, nearly all in a few hundred distinct hours.
 */
function offsetOfHour(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR_MS);
  const key = `${timeZone} ${hour}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    const start = hour * HOUR_MS;
    const end = start + HOUR_MS - 1000;
    const atStart = wallAsUtc(formattedWallClock(start, timeZone)) - start;
    const atEnd = wallAsUtc(formattedWallClock(end, timeZone)) - end;
    // No zone changes its offset twice within an hour: equal at both ends, equal throughout.
    offset = atStart === atEnd ? atStart : NaN;
    if (hourOffsets.size >= HOUR_OFFSETS_KEPT) hourOffsets.clear();
    hourOffsets.set(key, offset);
  }
  return offset;
}

function wallClockAt(ms: number, timeZone: string): WallClock {
  const offset = offsetOfHour(ms, timeZone);
  if (Number.isNaN(offset)) return formattedWallClock(ms, timeZone);
  const d = new Date(ms + offset);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

function wallAsUtc(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
}

/** The zone's offset from UTC at an instant, in milliseconds (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const t = requireInstant(instant);
  return wallAsUtc(wallClockAt(t, timeZone)) - t;
}

/** The calendar date an instant falls on in `timeZone`. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const w = wallClockAt(requireInstant(instant), timeZone);
  return formatLocalDate(w);
}

/** The wall-clock time of an instant in `timeZone`. */
export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const w = wallClockAt(requireInstant(instant), timeZone);
  return { hour: w.hour, minute: w.minute, second: w.second, millisecond: w.millisecond };
}

/**
 * The instant at which the wall clock in `timeZone` shows `time` on `date`. Where daylight
 * saving makes a wall time ambiguous the earlier instant wins; where it skips a wall time
 * (a gap) the result moves forward by the gap, as Temporal's 'compatible' rule does. China has
 * no daylight saving, but organisations may sit in other zones.
 */
export function instantAtLocalTime(date: LocalDate, time: LocalTime, timeZone: string): Date {
  const d = parseLocalDate(date);
  if (!d) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  const wall = Date.UTC(
    d.year,
    d.month - 1,
    d.day,
    time.hour,
    time.minute,
    time.second,
    time.millisecond,
  );
  const offsetBefore = wallAsUtc(wallClockAt(wall - DAY_MS, timeZone)) - (wall - DAY_MS);
  const offsetAfter = wallAsUtc(wallClockAt(wall + DAY_MS, timeZone)) - (wall + DAY_MS);
  const candidates = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => wall - offset)
    .filter((t) => wallAsUtc(wallClockAt(t, timeZone)) === wall)
    .sort((a, b) => a - b);
  return new Date(candidates.length > 0 ? candidates[0] : wall - offsetBefore);
}

/** The first instant of `date` in `timeZone` (local midnight, or the end of a midnight gap). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  return instantAtLocalTime(date, START_OF_DAY, timeZone);
}

/**
 * The last instant of `date` in `timeZone`: 23:59:59.999 local time. A due date (dueDate)
 * means this instant. Computed as one millisecond before the next local day starts, so it is
 * right even on days that daylight saving makes 23 or 25 hours long.
 */
export function endOfLocalDay(date: LocalDate, timeZone: string): Date {
  const next = startOfLocalDay(addCalendarDays(date, 1), timeZone);
  return new Date(next.getTime() - 1);
}

export interface Quarter {
  readonly year: number;
  /** 1..4 */
  readonly quarter: number;
  /** '2026Q4', as the reports API spells a quarter. */
  readonly label: string;
  /** 00:00 local time on the first day of the quarter. */
  readonly start: Date;
  /** The last millisecond of the quarter (23:59:59.999 local on its last day), inclusive. */
  readonly end: Date;
}

function quarterFrom(year: number, quarter: number, timeZone: string): Quarter {
  const firstMonth = (quarter - 1) * 3 + 1;
  const start = startOfLocalDay(formatLocalDate({ year, month: firstMonth, day: 1 }), timeZone);
  const nextYear = quarter === 4 ? year + 1 : year;
  const nextMonth = quarter === 4 ? 1 : firstMonth + 3;
  const nextStart = startOfLocalDay(
    formatLocalDate({ year: nextYear, month: nextMonth, day: 1 }),
    timeZone,
  );
  return {
    year,
    quarter,
    label: `${year}Q${quarter}`,
    start,
    end: new Date(nextStart.getTime() - 1),
  };
}

/** The quarter (季度) an instant falls in, in the organisation's time zone. */
export function quarterOf(instant: Date, timeZone: string): Quarter {
  const w = wallClockAt(requireInstant(instant), timeZone);
  return quarterFrom(w.year, Math.floor((w.month - 1) / 3) + 1, timeZone);
}

/** The quarter named by a label such as '2026Q4', or null when the label is malformed. */
export function quarterByLabel(label: string, timeZone: string): Quarter | null {
  const match = /^(\d{4})Q([1-4])$/.exec(label);
  if (!match) return null;
  return quarterFrom(Number(match[1]), Number(match[2]), timeZone);
}
