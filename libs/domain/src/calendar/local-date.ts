/**
 * Calendar dates without a time or a zone ('YYYY-MM-DD'), as the API and the holiday
 * arrangements (放假安排) use them. Arithmetic runs on UTC midnights so that the host's
 * own time zone can never shift a date by one.
 */
export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The parts of a 'YYYY-MM-DD' string, or null when it is not a real calendar date. */
export function parseLocalDate(value: string): DateParts | null {
  const match = LOCAL_DATE.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isLocalDate(value: unknown): value is LocalDate {
  return typeof value === 'string' && parseLocalDate(value) !== null;
}

export function formatLocalDate(parts: DateParts): LocalDate {
  return `${String(parts.year).padStart(4, '0')}-${String(parts.month).padStart(2, '0')}-${String(
    parts.day,
  ).padStart(2, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function requireDate(value: LocalDate): DateParts {
  const parts = parseLocalDate(value);
  if (!parts) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${value}`);
  return parts;
}

function toUtcMidnight(value: LocalDate): number {
  const { year, month, day } = requireDate(value);
  return Date.UTC(year, month - 1, day);
}

function fromUtcMidnight(ms: number): LocalDate {
  const d = new Date(ms);
  return formatLocalDate({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
  });
}

/** The date `n` calendar days after (or before, n < 0) `date`. */
export function addCalendarDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`days must be an integer, got ${n}`);
  return fromUtcMidnight(toUtcMidnight(date) + n * DAY_MS);
}

/**
 * The date `n` months later (earlier for n < 0), keeping the day of the month and falling
 * back to the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb).
 */
export function addCalendarMonths(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`months must be an integer, got ${n}`);
  const { year, month, day } = requireDate(date);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return formatLocalDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(toUtcMidnight(date)).getUTCDay();
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((toUtcMidnight(to) - toUtcMidnight(from)) / DAY_MS);
}
