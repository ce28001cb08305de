import chineseDays from 'chinese-days/dist/chinese-days.json';
import { FieldError, isPlainObject, Validated } from './field-error';
import { addCalendarDays, isLocalDate, LocalDate, parseLocalDate, weekdayOf } from './local-date';

/**
 * Working days in mainland China: weekends off, statutory holidays off (法定节假日), and the
 * adjusted weekend days worked in exchange (调休上班). The State Council publishes each year's
 * arrangement (放假安排) late in the year before, so the data has a horizon; beyond it the
 * calendar falls back to Monday–Friday and says so (`known: false`), and operators can add
 * the new year's arrangement as overrides until the package is updated.
 *
 * The holiday data is read from the chinese-days package's JSON rather than through its
 * functions: those parse and print dates in the host's time zone and give wrong answers for
 * dates when the server runs west of UTC.
 */

export type DayKind = 'workday' | 'holiday';

export interface CalendarOverride {
  readonly date: LocalDate;
  readonly kind: DayKind;
  /** Optional label, e.g. '国庆节' or '调休上班'. */
  readonly name?: string;
}

/** Holiday and adjusted-workday tables keyed by 'YYYY-MM-DD' (chinese-days' format). */
export interface HolidayData {
  /** Days off that would otherwise be working days, with 'English,中文,days' as value. */
  readonly holidays: Readonly<Record<string, string>>;
  /** Weekend days worked instead (调休上班). */
  readonly workdays: Readonly<Record<string, string>>;
}

export interface DayInfo {
  readonly date: LocalDate;
  readonly working: boolean;
  /** False when the date lies in a year neither the data nor the overrides cover. */
  readonly known: boolean;
  /** Where the answer came from. */
  readonly source: 'override' | 'holiday_data' | 'weekday_rule';
  /** zh-CN name of the holiday or adjusted working day, null for an ordinary day. */
  readonly name: string | null;
}

export interface WorkingDayResult {
  readonly date: LocalDate;
  /** False when any day counted lies beyond the known data (Monday–Friday was assumed). */
  readonly known: boolean;
}

export interface KnownRange {
  readonly from: LocalDate;
  readonly to: LocalDate;
}

/** The holiday data shipped with chinese-days. */
export const CHINESE_DAYS_DATA: HolidayData = {
  holidays: chineseDays.holidays as Record<string, string>,
  workdays: chineseDays.workdays as Record<string, string>,
};

/** Largest |n| accepted by addWorkingDays: far beyond any deadline, small enough to loop. */
const MAX_WORKING_DAYS = 10_000;

function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}

/** 'National Day,国庆节,3' → '国庆节' */
function chineseName(entry: string): string {
  const parts = entry.split(',');
  return parts[1] ?? parts[0] ?? entry;
}

/** Checks a list of overrides, e.g. from configuration or a database table. */
export function validateCalendarOverrides(input: unknown): Validated<CalendarOverride[]> {
  const errors: FieldError[] = [];
  if (!Array.isArray(input)) {
    return {
      ok: false,
      errors: [{ field: 'overrides', message: '日期列表须为数组 — overrides must be an array' }],
    };
  }
  const seen = new Map<string, number>();
  const value: CalendarOverride[] = [];
  input.forEach((item: unknown, i) => {
    const field = `overrides[${i}]`;
    const nth = `第${i + 1}条`;
    if (!isPlainObject(item)) {
      errors.push({
        field,
        message: `${nth}须为对象 {date, kind} — ${field} must be an object {date, kind}`,
      });
      return;
    }
    const { date, kind, name } = item;
    let ok = true;
    if (!isLocalDate(date)) {
      errors.push({
        field: `${field}.date`,
        message: `${nth}的日期须为日期，格式 YYYY-MM-DD — ${field}.date must be a calendar date 'YYYY-MM-DD'`,
      });
      ok = false;
    } else if (seen.has(date)) {
      errors.push({
        field: `${field}.date`,
        message: `${nth}的日期 ${date} 与第${(seen.get(date) ?? 0) + 1}条重复 — ${field}.date ${date} is already listed at overrides[${seen.get(date)}]`,
      });
      ok = false;
    } else {
      seen.set(date, i);
    }
    if (kind !== 'workday' && kind !== 'holiday') {
      errors.push({
        field: `${field}.kind`,
        message: `${nth}的类型须为 workday（调休上班）或 holiday（放假） — ${field}.kind must be 'workday' or 'holiday'`,
      });
      ok = false;
    }
    if (name !== undefined && typeof name !== 'string') {
      errors.push({
        field: `${field}.name`,
        message: `${nth}的名称须为文本 — ${field}.name must be a string`,
      });
      ok = false;
    }
    if (ok) {
      value.push({
        date: date as LocalDate,
        kind: kind as DayKind,
        ...(typeof name === 'string' ? { name } : {}),
      });
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

export interface WorkingDayCalendarOptions {
  /**
   * Days that differ from the data, or a year the data does not have yet. A year with at
   * least one override counts as known: list every holiday and adjusted working day of it.
   */
  readonly overrides?: readonly CalendarOverride[];
  /** Holiday tables; chinese-days' data unless given (tests, other jurisdictions). */
  readonly data?: HolidayData;
}

/** How many addWorkingDays answers a calendar keeps before it starts over. */
const RESULTS_KEPT = 20_000;

export class WorkingDayCalendar {
  private readonly overrides = new Map<LocalDate, CalendarOverride>();
  private readonly results = new Map<string, WorkingDayResult>();
  private readonly data: HolidayData;
  private readonly years: ReadonlySet<number>;
  /** Years covered by the holiday data or by overrides, ascending. */
  readonly knownYears: readonly number[];

  constructor(options: WorkingDayCalendarOptions = {}) {
    const checked = validateCalendarOverrides(options.overrides ?? []);
    if (!checked.ok) {
      throw new RangeError(checked.errors.map((e) => e.message).join('; '));
    }
    for (const o of checked.value) this.overrides.set(o.date, o);
    this.data = options.data ?? CHINESE_DAYS_DATA;
    const years = new Set<number>();
    // Every year of the arrangement has at least 元旦 off, so the holiday keys name its years.
    for (const date of Object.keys(this.data.holidays)) years.add(yearOf(date));
    for (const date of Object.keys(this.data.workdays)) years.add(yearOf(date));
    for (const date of this.overrides.keys()) years.add(yearOf(date));
    this.years = years;
    this.knownYears = [...years].sort((a, b) => a - b);
  }

  /**
   * The longest run of consecutive known years that ends with the latest one, as dates
   * (2004-01-01 … 2026-12-31 with chinese-days 1.5.7); null when nothing is known.
   */
  get knownRange(): KnownRange | null {
    const years = this.knownYears;
    if (years.length === 0) return null;
    const last = years[years.length - 1];
    let first = last;
    while (this.years.has(first - 1)) first -= 1;
    return { from: `${String(first).padStart(4, '0')}-01-01`, to: `${last}-12-31` };
  }

  /** Whether the date's year is covered by the data or the overrides. */
  covers(date: LocalDate): boolean {
    this.require(date);
    return this.years.has(yearOf(date));
  }

  dayInfo(date: LocalDate): DayInfo {
    this.require(date);
    const known = this.years.has(yearOf(date));
    const override = this.overrides.get(date);
    if (override) {
      return {
        date,
        working: override.kind === 'workday',
        known: true,
        source: 'override',
        name: override.name ?? null,
      };
    }
    const workday = this.data.workdays[date];
    if (workday !== undefined) {
      return { date, working: true, known, source: 'holiday_data', name: chineseName(workday) };
    }
    const holiday = this.data.holidays[date];
    if (holiday !== undefined) {
      return { date, working: false, known, source: 'holiday_data', name: chineseName(holiday) };
    }
    const weekday = weekdayOf(date);
    return {
      date,
      working: weekday >= 1 && weekday <= 5,
      known,
      source: 'weekday_rule',
      name: null,
    };
  }

  isWorkingDay(date: LocalDate): boolean {
    return this.dayInfo(date).working;
  }

  /**
   * The date `n` working days after `date` (before it for n < 0). The start date itself is
   * never counted, so from a Friday +1 is the next working day, and n = 0 returns `date`
   * unchanged even when it is a day off.
   */
  addWorkingDays(date: LocalDate, n: number): WorkingDayResult {
    // The calendar never changes, and the ladder asks the same few hundred questions (a
    // deadline, a step's offset) for tens of thousands of tasks: each is answered once.
    const key = `${date} ${n}`;
    const kept = this.results.get(key);
    if (kept) return kept;
    const result = this.countWorkingDays(date, n);
    if (this.results.size >= RESULTS_KEPT) this.results.clear();
    this.results.set(key, result);
    return result;
  }

  private countWorkingDays(date: LocalDate, n: number): WorkingDayResult {
    this.require(date);
    if (!Number.isInteger(n) || Math.abs(n) > MAX_WORKING_DAYS) {
      throw new RangeError(`working days must be an integer within ±${MAX_WORKING_DAYS}, got ${n}`);
    }
    const step = n < 0 ? -1 : 1;
    let remaining = Math.abs(n);
    let current = date;
    let known = remaining === 0 ? this.covers(date) : true;
    while (remaining > 0) {
      current = addCalendarDays(current, step);
      const info = this.dayInfo(current);
      if (!info.known) known = false;
      if (info.working) remaining -= 1;
    }
    return { date: current, known };
  }

  private require(date: LocalDate): void {
    if (parseLocalDate(date) === null) {
      throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
    }
  }
}

let shared: WorkingDayCalendar | undefined;

/**
 * The mainland China calendar. Without overrides one shared instance is returned (it is
 * immutable); with overrides a new one.
 */
export function chinaCalendar(overrides?: readonly CalendarOverride[]): WorkingDayCalendar {
  if (overrides && overrides.length > 0) return new WorkingDayCalendar({ overrides });
  shared ??= new WorkingDayCalendar();
  return shared;
}
