import { WorkingDayCalendar } from '../calendar/working-day-calendar';
import { resolveOffset } from '../escalation/offset';
import { CheckResult, TaskMode, TaskState } from '../lifecycle/task';

/**
 * 三色预警 — the warning colours local systems use (four with green): red once overdue until
 * done, yellow when a check found the work lagging or superficial (表面整改) or the quarterly
 * report is late, blue when the deadline is near, green otherwise. Thresholds are policy.
 */

export const LIGHTS = ['red', 'yellow', 'blue', 'green'] as const;
export type Light = (typeof LIGHTS)[number];

/** Sort key, most urgent first: sort by LIGHT_ORDER[light] ascending. */
export const LIGHT_ORDER: Readonly<Record<Light, number>> = {
  red: 0,
  yellow: 1,
  blue: 2,
  green: 3,
};

export const LIGHT_LABELS: Readonly<Record<Light, string>> = {
  red: '红',
  yellow: '黄',
  blue: '蓝',
  green: '绿',
};

/** For Array.prototype.sort: red first, green last. */
export function compareLights(a: Light, b: Light): number {
  return LIGHT_ORDER[a] - LIGHT_ORDER[b];
}

export function isLight(value: unknown): value is Light {
  return typeof value === 'string' && (LIGHTS as readonly string[]).includes(value);
}

export interface LightInput {
  readonly state: TaskState;
  readonly dueAt: Date | null;
  readonly mode: TaskMode;
  /** The latest supervision check (督查) on the task, null when none since it was (re)opened. */
  readonly lastCheckResult: CheckResult | null;
  /** A progress report owed for the current quarter is missing (季度报告逾期). */
  readonly quarterlyReportLate: boolean;
  /** Behind the planned pace (序时进度), if the caller tracks it. */
  readonly behindPlannedPace?: boolean;
  readonly now: Date;
  /**
   * When the near-deadline (blue) window opens: the deadline minus the policy's
   * blueWithinWorkingDays, see blueWindowStart. Null for no blue window.
   */
  readonly blueWindowStartsAt: Date | null;
  /** Its problem was withdrawn (撤回): nothing is owed, so never red, yellow or blue. */
  readonly withdrawn?: boolean;
}

/**
 * The light of one task. Precedence red > yellow > blue > green: a task that is both overdue
 * and lagging is red. Verified and closed tasks are green — the work is done and only the
 * superior's approval (销号) is outstanding. Standing measures (长期坚持) have no deadline, so
 * they are never red or blue, only yellow when lagging or late with the quarterly report.
 */
export function lightOf(input: LightInput): Light {
  if (input.state === 'closed' || input.state === 'verified' || input.withdrawn) return 'green';
  const now = input.now.getTime();
  const dueAt = input.mode === 'standing' ? null : input.dueAt;
  if (dueAt !== null && now > dueAt.getTime()) return 'red';
  if (
    input.lastCheckResult === 'lagging' ||
    input.lastCheckResult === 'superficial' ||
    input.quarterlyReportLate ||
    input.behindPlannedPace === true
  ) {
    return 'yellow';
  }
  if (
    dueAt !== null &&
    input.blueWindowStartsAt !== null &&
    now >= input.blueWindowStartsAt.getTime()
  ) {
    return 'blue';
  }
  return 'green';
}

/**
 * The instant the blue window opens: `withinWorkingDays` working days before the deadline, at
 * the same local time of day (due Friday 23:59:59.999 with 3 → Tuesday 23:59:59.999, leaving
 * Wednesday, Thursday and Friday). 0 means no blue window (null).
 */
export function blueWindowStart(
  dueAt: Date,
  withinWorkingDays: number,
  calendar: WorkingDayCalendar,
  timeZone: string,
): Date | null {
  if (withinWorkingDays <= 0) return null;
  return resolveOffset(dueAt, { workingDays: withinWorkingDays }, calendar, timeZone, 'before');
}

/**
 * The next instant at which the passing of time alone may change the light (the blue window
 * opening, or the deadline passing), for caching a stored light; null when time alone never will.
 */
export function nextLightChange(input: LightInput): Date | null {
  if (input.state === 'closed' || input.state === 'verified') return null;
  const dueAt = input.mode === 'standing' ? null : input.dueAt;
  if (dueAt === null) return null;
  const now = input.now.getTime();
  const blue = input.blueWindowStartsAt;
  if (blue !== null && now < blue.getTime() && blue.getTime() <= dueAt.getTime()) return blue;
  if (now <= dueAt.getTime()) return new Date(dueAt.getTime() + 1);
  return null;
}
