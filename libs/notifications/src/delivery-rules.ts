import {
  addCalendarDays,
  instantAtLocalTime,
  localDateOf,
  localTimeOf,
  type LocalTime,
} from '#duban/domain';

/**
 * The timing rules of deliveries as pure functions of "now": quiet hours (免打扰), the daily
 * digest, retry backoff and chasing. No clock reads here; the callers pass the instant.
 */

/** Attempts a delivery gets before it is dead-lettered. */
export const MAX_DELIVERY_ATTEMPTS = 5;
/** Re-sends of an unacknowledged notice, after the first one. */
export const MAX_CHASES = 3;

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 3_600_000;

/** Quiet hours as local wall-clock times 'HH:MM'; start after end means overnight (22:00–07:00). */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const isHhMm = (value: unknown): value is string =>
  typeof value === 'string' && HH_MM.test(value);

function minutesOf(hhmm: string): number {
  const m = HH_MM.exec(hhmm);
  if (!m) throw new RangeError(`not a local time HH:MM: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function timeOf(hhmm: string): LocalTime {
  const minutes = minutesOf(hhmm);
  return { hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 };
}

/**
 * When `now` falls inside the quiet hours in `timeZone`, the instant they end; otherwise null.
 * The start is inside the window, the end is not.
 */
export function quietHoursEnd(now: Date, quiet: QuietHours | null, timeZone: string): Date | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return null;
  const t = localTimeOf(now, timeZone);
  const minute = t.hour * 60 + t.minute;
  const today = localDateOf(now, timeZone);
  if (start < end) {
    return minute >= start && minute < end
      ? instantAtLocalTime(today, timeOf(quiet.end), timeZone)
      : null;
  }
  if (minute >= start)
    return instantAtLocalTime(addCalendarDays(today, 1), timeOf(quiet.end), timeZone);
  if (minute < end) return instantAtLocalTime(today, timeOf(quiet.end), timeZone);
  return null;
}

/** When a message may go out: now, or the end of the quiet hours it falls in. */
export function sendableAt(now: Date, quiet: QuietHours | null, timeZone: string): Date {
  return quietHoursEnd(now, quiet, timeZone) ?? now;
}

/**
 * The next daily digest strictly after `now`: `digestTime` local time today or tomorrow,
 * moved to the end of the quiet hours if the person chose to be left alone then.
 */
export function nextDigestAt(
  now: Date,
  digestTime: string,
  quiet: QuietHours | null,
  timeZone: string,
): Date {
  const today = localDateOf(now, timeZone);
  let at = instantAtLocalTime(today, timeOf(digestTime), timeZone);
  if (at.getTime() <= now.getTime()) {
    at = instantAtLocalTime(addCalendarDays(today, 1), timeOf(digestTime), timeZone);
  }
  return sendableAt(at, quiet, timeZone);
}

/** Wait after the n-th failed attempt (n ≥ 1): 30 s, 1 min, 2 min, 4 min … capped at 1 h. */
export function retryBackoffMs(failedAttempts: number): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  return Math.min(BACKOFF_BASE_MS * 2 ** (n - 1), BACKOFF_CAP_MS);
}

/** What an attempt makes of a delivery: sent, pending for a retry, or dead (dead-letter). */
export interface AttemptResult {
  outcome: 'sent' | 'retry' | 'dead';
  state: 'pending' | 'sent' | 'dead';
  /** This attempt's number (1 for the first). */
  attempt: number;
  /** When the retry may go; null unless the outcome is 'retry'. */
  nextAttemptAt: Date | null;
}

/**
 * The outcome of attempt `attemptsBefore + 1`: sent without an error; dead on a permanent
 * error or once MAX_DELIVERY_ATTEMPTS have failed; otherwise retried after retryBackoffMs.
 */
export function attemptResult(
  attemptsBefore: number,
  error: { permanent: boolean } | null,
  now: Date,
): AttemptResult {
  const attempt = attemptsBefore + 1;
  if (error === null) return { outcome: 'sent', state: 'sent', attempt, nextAttemptAt: null };
  if (error.permanent || attempt >= MAX_DELIVERY_ATTEMPTS) {
    return { outcome: 'dead', state: 'dead', attempt, nextAttemptAt: null };
  }
  return {
    outcome: 'retry',
    state: 'pending',
    attempt,
    nextAttemptAt: new Date(now.getTime() + retryBackoffMs(attempt)),
  };
}
