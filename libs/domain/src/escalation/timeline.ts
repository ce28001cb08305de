import { WorkingDayCalendar } from '../calendar/working-day-calendar';
import { Offset, offsetKey, resolveOffsetDetailed } from './offset';
import { Audience, EscalationPolicy } from './policy';

/**
 * When each reminder and escalation step of a policy fires for one deadline, and which of them
 * are due now. The service stores the keys of what it has applied; after downtime the catch-up
 * rule applies every missed step exactly once, in order, instead of once per missed sweep.
 */

interface ItemBase {
  /**
   * Identifies the item for this deadline: 'reminder:wd:7@<dueAt ISO>' or 'step:2@<dueAt ISO>'.
   * A new deadline (an approved extension 延期) gives new keys, so its reminders and ladder
   * start afresh; the same deadline never fires the same item twice.
   */
  readonly key: string;
  readonly firesAt: Date;
  readonly offset: Offset;
  /** False when the instant was computed with dates beyond the calendar's known data. */
  readonly known: boolean;
}

export interface ReminderItem extends ItemBase {
  readonly kind: 'reminder';
  /** Position in policy.remindBefore. */
  readonly index: number;
}

export interface StepItem extends ItemBase {
  readonly kind: 'step';
  readonly level: number;
  readonly name: string;
  readonly notify: readonly Audience[];
  /** The last step opens an accountability case (问责). */
  readonly opensAccountabilityCase: boolean;
}

export type TimelineItem = ReminderItem | StepItem;

/** Keys are scoped to the due instant (see ItemBase.key). */
export function timelineKey(
  dueAt: Date,
  item: { kind: 'reminder'; offset: Offset } | { kind: 'step'; level: number },
): string {
  const id = item.kind === 'reminder' ? `reminder:${offsetKey(item.offset)}` : `step:${item.level}`;
  return `${id}@${dueAt.toISOString()}`;
}

/**
 * Every reminder and step for a task due at `dueAt`, oldest first. Reminders come before the
 * deadline, steps on or after it in level order; should a step resolve earlier than the one
 * before it (month lengths can do that to durations), it fires with its predecessor instead.
 */
export function plannedTimeline(
  dueAt: Date,
  policy: EscalationPolicy,
  calendar: WorkingDayCalendar,
  timeZone: string,
): TimelineItem[] {
  const reminders: ReminderItem[] = policy.remindBefore.map((offset, index) => {
    const r = resolveOffsetDetailed(dueAt, offset, calendar, timeZone, 'before');
    return {
      kind: 'reminder',
      index,
      offset,
      key: timelineKey(dueAt, { kind: 'reminder', offset }),
      firesAt: r.at,
      known: r.known,
    };
  });
  reminders.sort((a, b) => a.firesAt.getTime() - b.firesAt.getTime() || a.index - b.index);

  const last = policy.steps.length;
  let floor = dueAt.getTime();
  const steps: StepItem[] = policy.steps.map((step) => {
    const r = resolveOffsetDetailed(dueAt, step.after, calendar, timeZone, 'after');
    floor = Math.max(floor, r.at.getTime());
    return {
      kind: 'step',
      level: step.level,
      name: step.name,
      notify: step.notify,
      offset: step.after,
      key: timelineKey(dueAt, { kind: 'step', level: step.level }),
      firesAt: new Date(floor),
      known: r.known,
      opensAccountabilityCase: step.level === last,
    };
  });
  return [...reminders, ...steps];
}

export type DueEffect = TimelineItem & {
  /**
   * True for a reminder that must be recorded as applied but not sent (skipped), because its
   * moment has passed for good:
   * - a later item is due in the same batch, or was already applied (after downtime, or a new
   *   policy that adds a reminder to a task already on its ladder);
   * - it fired before the plan it belongs to existed (`plannedSince`: the deadline was set or
   *   the policy changed after the reminder's moment).
   * One message, not a stream, and never a "due on …" reminder for a deadline already behind.
   * Steps are never skipped: a late step still happens.
   */
  readonly superseded: boolean;
};

/**
 * The catch-up rule: every item that fired at or before `now` and is not in `alreadyApplied`,
 * in timeline order. Each missed step appears once however many sweeps were missed; applying
 * them and adding their keys makes the next call return nothing new.
 */
export function dueEffects(
  timeline: readonly TimelineItem[],
  alreadyApplied: ReadonlySet<string> | readonly string[],
  now: Date,
  plannedSince?: Date | null,
): DueEffect[] {
  const applied: ReadonlySet<string> =
    alreadyApplied instanceof Set ? alreadyApplied : new Set(alreadyApplied as readonly string[]);
  const t = now.getTime();
  const due = timeline.filter((item) => item.firesAt.getTime() <= t && !applied.has(item.key));
  const latestApplied = Math.max(
    -Infinity,
    ...timeline.filter((item) => applied.has(item.key)).map((item) => item.firesAt.getTime()),
  );
  return due.map((item, i) => ({
    ...item,
    superseded:
      item.kind === 'reminder' &&
      (i < due.length - 1 ||
        latestApplied > item.firesAt.getTime() ||
        (plannedSince != null && item.firesAt.getTime() <= plannedSince.getTime())),
  }));
}

/** The instant the next not-yet-applied item fires, for scheduling a timer; null if none. */
export function nextFiring(
  timeline: readonly TimelineItem[],
  alreadyApplied: ReadonlySet<string> | readonly string[],
  now: Date,
): Date | null {
  const applied: ReadonlySet<string> =
    alreadyApplied instanceof Set ? alreadyApplied : new Set(alreadyApplied as readonly string[]);
  const t = now.getTime();
  const next = timeline.find((item) => item.firesAt.getTime() > t && !applied.has(item.key));
  return next ? next.firesAt : null;
}
