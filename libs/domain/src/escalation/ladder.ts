import type { WorkingDayCalendar } from '../calendar/working-day-calendar';
import { talkDueBy } from '../talks/talks';
import type { Audience, EscalationPolicy } from './policy';
import { type DueEffect, dueEffects, nextFiring, plannedTimeline } from './timeline';

/**
 * One pass of the escalation ladder over a task, as rules: which reminders and steps are due,
 * when its timer fires next, and what each applied step changes (the task's level and marks,
 * the talk it makes due, the case it opens). The engine records the effects under their unique
 * keys and applies only those it inserted (the exactly-once guard); these functions decide
 * everything else.
 */

/** From this level on the task is 挂牌督办 (formally supervised). */
export const SUPERVISED_FROM_LEVEL = 2;
/** From this level on the task is named in the quarter's circulated notice (通报). */
export const CIRCULATED_FROM_LEVEL = 3;
/** Who an accountability case is about (its subjects). */
export const CASE_SUBJECTS: readonly Audience[] = ['responsible', 'leader', 'secretary'];

/** A task is on the ladder while it has a deadline and is being worked on. */
export function onLadder(task: { state: string; dueAt: Date | null }): boolean {
  return task.dueAt !== null && (task.state === 'assigned' || task.state === 'in_progress');
}

/** The later of two instants; either may be missing. */
export function latestOf(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a.getTime() >= b.getTime() ? a : b;
}

export interface LadderPassInput {
  dueAt: Date;
  /** When the current deadline was set (created, or an extension approved). */
  deadlineSetAt: Date | null;
  policy: EscalationPolicy;
  /** When the governing org's policy last changed; null for the configured default. */
  policyUpdatedAt: Date | null;
  /** The responsible org's calendar (national plus its own and its ancestors' overrides). */
  calendar: WorkingDayCalendar;
  timeZone: string;
  /** Keys of the effects already recorded for this task. */
  applied: ReadonlySet<string>;
  now: Date;
}

export interface LadderPass {
  /** What is due now, in timeline order (a superseded reminder is recorded, not sent). */
  due: DueEffect[];
  /** When the next item not yet applied fires, once these are applied; null when none is left. */
  nextFireAt: Date | null;
}

/**
 * What is due for one task now, and when its timer fires next. The keys are scoped to the
 * deadline, so a new deadline (延期 approved) starts the ladder afresh. The plan exists since
 * its deadline was set and its policy last changed: reminders whose moment came before that are
 * skipped (recorded as superseded), never sent late.
 */
export function ladderPass(input: LadderPassInput): LadderPass {
  const timeline = plannedTimeline(input.dueAt, input.policy, input.calendar, input.timeZone);
  const plannedSince = latestOf(input.deadlineSetAt, input.policyUpdatedAt);
  const due = dueEffects(timeline, input.applied, input.now, plannedSince);
  const done = new Set(input.applied);
  due.forEach((e) => done.add(e.key));
  return { due, nextFireAt: nextFiring(timeline, done, input.now) };
}

/** What applying one due effect means beyond recording it. */
export interface EffectConsequences {
  /** Who is told: nobody for a superseded reminder. */
  audiences: readonly Audience[];
  /** From 督办 up, notices go out at once (no digest) and are chased until read. */
  urgent: boolean;
  /** 通报: a talk with the leader becomes due (约谈) and the unit may enter the negative list. */
  circulates: boolean;
  /** 问责: the last step opens an accountability case about CASE_SUBJECTS. */
  opensCase: boolean;
}

export function effectConsequences(effect: DueEffect): EffectConsequences {
  if (effect.kind === 'reminder') {
    return {
      audiences: effect.superseded ? [] : ['responsible'],
      urgent: false,
      circulates: false,
      opensCase: false,
    };
  }
  return {
    audiences: effect.superseded ? [] : effect.notify,
    urgent: effect.level >= SUPERVISED_FROM_LEVEL,
    circulates: effect.level === CIRCULATED_FROM_LEVEL,
    opensCase: effect.opensAccountabilityCase,
  };
}

/** When the talk this effect makes due must be held by (约谈 after 通报); null for any other. */
export function talkDueFor(
  effect: DueEffect,
  at: Date,
  calendar: WorkingDayCalendar,
  timeZone: string,
): Date | null {
  return effectConsequences(effect).circulates && !effect.superseded
    ? talkDueBy(at, calendar, timeZone)
    : null;
}

/** What the steps applied in one pass change on the task. */
export interface LadderMarks {
  /** The highest level reached in this pass (0 when no step was applied); levels never drop. */
  level: number;
  /** 挂牌督办: once set, stays set. */
  supervised: boolean;
  /** Named in the quarter's 通报: once set, stays set. */
  circulated: boolean;
}

export function ladderMarks(appliedStepLevels: readonly number[]): LadderMarks {
  const level = Math.max(0, ...appliedStepLevels);
  return {
    level,
    supervised: level >= SUPERVISED_FROM_LEVEL,
    circulated: level >= CIRCULATED_FROM_LEVEL,
  };
}
