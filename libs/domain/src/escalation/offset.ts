import { fieldLabel } from '../kernel/messages';
import { FieldError, isPlainObject } from '../calendar/field-error';
import { addCalendarDays, addCalendarMonths } from '../calendar/local-date';
import { instantAtLocalTime, localDateOf, localTimeOf } from '../calendar/time-zone';
import { WorkingDayCalendar } from '../calendar/working-day-calendar';

/**
 * How far from the due instant a reminder or an escalation step fires: an ISO 8601 duration
 * ('P7D', 'PT30S', 'P1DT2H') or a count of working days ({ workingDays: 5 }). Offsets are
 * never negative; whether they count forwards (steps, 催办/督办/…) or backwards (reminders,
 * 提醒) depends on where they sit in the policy.
 */
export type Offset = string | WorkingDaysOffset;

export interface WorkingDaysOffset {
  readonly workingDays: number;
}

export type OffsetDirection = 'after' | 'before';

/** The fields of an ISO 8601 duration. Seconds may carry up to three decimals. */
export interface IsoDuration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly milliseconds: number;
}

const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,3}))?S)?)?$/;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Upper bounds that keep every offset within about ten years. */
export const MAX_OFFSET_WORKING_DAYS = 2500;
const MAX_NOMINAL_MS = 3660 * DAY_MS;

/** Parses 'P1DT2H30M' and friends; null when the text is not an ISO 8601 duration. */
export function parseIsoDuration(text: string): IsoDuration | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const [, y, mo, w, d, h, mi, s, frac] = m;
  if ([y, mo, w, d, h, mi, s].every((g) => g === undefined)) return null; // bare 'P'
  if (text.includes('T') && [h, mi, s].every((g) => g === undefined)) return null; // 'P1DT'
  const n = (g: string | undefined) => (g === undefined ? 0 : Number(g));
  return {
    years: n(y),
    months: n(mo),
    weeks: n(w),
    days: n(d),
    hours: n(h),
    minutes: n(mi),
    seconds: n(s),
    milliseconds: frac === undefined ? 0 : Number(frac.padEnd(3, '0')),
  };
}

/** The exact (clock-time) part of a duration in milliseconds: hours, minutes, seconds. */
function exactMs(d: IsoDuration): number {
  return d.hours * HOUR_MS + d.minutes * 60_000 + d.seconds * 1000 + d.milliseconds;
}

/**
 * A duration's nominal length (a year as 365 days, a month as 30), used only to order
 * offsets of one policy against each other, never to compute when anything fires.
 */
export function nominalMs(d: IsoDuration): number {
  return (d.years * 365 + d.months * 30 + d.weeks * 7 + d.days) * DAY_MS + exactMs(d);
}

export function isWorkingDaysOffset(offset: Offset): offset is WorkingDaysOffset {
  return typeof offset !== 'string';
}

/** A stable text for an offset: 'P7D' as written, or 'wd:5'. Used in timeline keys. */
export function offsetKey(offset: Offset): string {
  return isWorkingDaysOffset(offset) ? `wd:${offset.workingDays}` : offset;
}

/** Readable form for messages and the UI. */
export function describeOffset(offset: Offset): string {
  return isWorkingDaysOffset(offset) ? `${offset.workingDays} working day(s)` : offset;
}

export interface CheckedOffset {
  readonly offset: Offset;
  readonly kind: 'working_days' | 'duration';
  /** Working days, or the duration's nominal milliseconds: comparable within one kind. */
  readonly magnitude: number;
}

/**
 * Checks one offset. `positive` demands it be greater than zero (reminders must fire
 * strictly before the deadline); otherwise zero is allowed (a step at the deadline).
 */
export function checkOffset(
  input: unknown,
  field: string,
  options: { positive: boolean; allowUnknownKeys?: boolean },
): { ok: true; value: CheckedOffset } | { ok: false; error: FieldError } {
  const fail = (message: string, at: string = field) => ({
    ok: false as const,
    error: { field: at, message },
  });
  if (typeof input === 'string') {
    if (input.startsWith('-')) {
      return fail(
        `${fieldLabel(field)}不能为负数：时间从期限起算，提醒在期限前，升级在期限后 — ${field} must not be negative: offsets count from the deadline, reminders before it and steps after it`,
      );
    }
    const d = parseIsoDuration(input);
    if (!d) {
      return fail(
        `${fieldLabel(field)}须为 ISO 8601 时长（如 P7D、PT30S、P1DT2H）或 {"workingDays": N} — ${field} must be an ISO 8601 duration such as 'P7D', 'PT30S' or 'P1DT2H', or {"workingDays": N}; got '${input}'`,
      );
    }
    const magnitude = nominalMs(d);
    if (magnitude > MAX_NOMINAL_MS)
      return fail(
        `${fieldLabel(field)}过长：至多约 10 年 — ${field} is too long: at most about 10 years`,
      );
    if (options.positive && magnitude === 0) {
      return fail(
        `${fieldLabel(field)}须大于零：提醒在期限前发出 — ${field} must be longer than zero: a reminder fires before the deadline`,
      );
    }
    return { ok: true, value: { offset: input, kind: 'duration', magnitude } };
  }
  if (isPlainObject(input)) {
    const extra = Object.keys(input).filter((k) => k !== 'workingDays');
    if (extra.length > 0 && !options.allowUnknownKeys) {
      return fail(
        `${fieldLabel(field)}含有不接受的字段 ${extra.join('、')} — ${field} has unknown field(s) ${extra.join(', ')}; expected {"workingDays": N}`,
      );
    }
    const n = input['workingDays'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      return fail(
        `${fieldLabel(field)}须为 0 或以上的整数个工作日 — ${field}.workingDays must be a whole number of working days, 0 or more`,
        `${field}.workingDays`,
      );
    }
    if (n > MAX_OFFSET_WORKING_DAYS) {
      return fail(
        `${fieldLabel(field)}至多 ${MAX_OFFSET_WORKING_DAYS} 个工作日 — ${field}.workingDays must be at most ${MAX_OFFSET_WORKING_DAYS}`,
        `${field}.workingDays`,
      );
    }
    if (options.positive && n === 0) {
      return fail(
        `${fieldLabel(field)}至少 1 个工作日：提醒在期限前发出 — ${field}.workingDays must be at least 1: a reminder fires before the deadline`,
        `${field}.workingDays`,
      );
    }
    return { ok: true, value: { offset: { workingDays: n }, kind: 'working_days', magnitude: n } };
  }
  return fail(
    `${fieldLabel(field)}须为 ISO 8601 时长或 {"workingDays": N} — ${field} must be an ISO 8601 duration string or {"workingDays": N}`,
  );
}

export interface ResolvedOffset {
  readonly at: Date;
  /** False when a working-day count crossed dates beyond the calendar's known data. */
  readonly known: boolean;
}

/**
 * The instant `offset` after (or before) `dueAt`. Working days are counted on the calendar in
 * the organisation's zone and keep the local time of day: due 23:59:59.999 Thursday → 5
 * working days later at 23:59:59.999 local. A duration's date part (Y, M, W, D) moves the
 * local date the same way; its time part (H, M, S) is exact elapsed time.
 */
export function resolveOffsetDetailed(
  dueAt: Date,
  offset: Offset,
  calendar: WorkingDayCalendar,
  timeZone: string,
  direction: OffsetDirection = 'after',
): ResolvedOffset {
  if (Number.isNaN(dueAt.getTime())) throw new RangeError('invalid due instant');
  const sign = direction === 'after' ? 1 : -1;
  if (isWorkingDaysOffset(offset)) {
    if (offset.workingDays === 0) return { at: new Date(dueAt.getTime()), known: true };
    const date = localDateOf(dueAt, timeZone);
    const moved = calendar.addWorkingDays(date, sign * offset.workingDays);
    return {
      at: instantAtLocalTime(moved.date, localTimeOf(dueAt, timeZone), timeZone),
      known: moved.known,
    };
  }
  const d = parseIsoDuration(offset);
  if (!d) throw new RangeError(`not an ISO 8601 duration: ${offset}`);
  let base = dueAt.getTime();
  const months = d.years * 12 + d.months;
  const days = d.weeks * 7 + d.days;
  if (months !== 0 || days !== 0) {
    const date = addCalendarDays(
      addCalendarMonths(localDateOf(dueAt, timeZone), sign * months),
      sign * days,
    );
    base = instantAtLocalTime(date, localTimeOf(dueAt, timeZone), timeZone).getTime();
  }
  return { at: new Date(base + sign * exactMs(d)), known: true };
}

/** The instant `offset` after (or, with direction 'before', before) the due instant. */
export function resolveOffset(
  dueAt: Date,
  offset: Offset,
  calendar: WorkingDayCalendar,
  timeZone: string,
  direction: OffsetDirection = 'after',
): Date {
  return resolveOffsetDetailed(dueAt, offset, calendar, timeZone, direction).at;
}
