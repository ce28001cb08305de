import type { WorkingDayCalendar } from '../calendar/working-day-calendar';
import { resolveOffset } from '../escalation/offset';

/**
 * 约谈: the 通报 step makes a talk with the leader in charge due. One not recorded within this
 * many working days of the step is itself overdue (a derived state: the step's row carries
 * `talk_due_by`; the talk is overdue while no talk has been recorded since the step and
 * `talk_due_by` has passed).
 */
export const TALK_WITHIN_WORKING_DAYS = 10;

/** When the talk a step made due must be held by: 10 working days later, same local time. */
export function talkDueBy(stepAt: Date, calendar: WorkingDayCalendar, timeZone: string): Date {
  return resolveOffset(stepAt, { workingDays: TALK_WITHIN_WORKING_DAYS }, calendar, timeZone);
}

export type TalkState = 'none' | 'due' | 'overdue' | 'held';

/** The talk a task owes, from the latest 通报 step's due-by and the talks recorded since it. */
export function talkState(dueBy: Date | null, heldSinceStep: boolean, now: Date): TalkState {
  if (!dueBy) return 'none';
  if (heldSinceStep) return 'held';
  return now.getTime() > dueBy.getTime() ? 'overdue' : 'due';
}
