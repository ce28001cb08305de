import {
  addCalendarDays,
  blueWindowStart,
  blueWithinWorkingDays,
  type Clock,
  DEFAULT_ESCALATION_POLICY,
  endOfLocalDay,
  type EscalationPolicy,
  instantAtLocalTime,
  type LocalDate,
  localDateOf,
  plannedTimeline,
  type WorkingDayCalendar,
} from '#duban/domain';

/** How many days before "now" the story starts. */
export const STORY_DAYS = 100;

/** When the story starts: 08:00 local time, STORY_DAYS calendar days before its end. */
export function storyStartOf(end: Date, timeZone: string): Date {
  return instantAtLocalTime(
    addCalendarDays(localDateOf(end, timeZone), -STORY_DAYS),
    { hour: 8, minute: 0, second: 0, millisecond: 0 },
    timeZone,
  );
}

/**
 * The demo's own clock. The loader moves it forward through the story; every use case it calls
 * reads "now" from it, so a problem raised "three months ago" carries that date everywhere —
 * in its row, its audit record and its notifications — exactly as if it had happened then.
 */
export class DemoClock implements Clock {
  private current: number;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves forward only: the record must never show time running backwards. */
  set(instant: Date): void {
    if (instant.getTime() < this.current) {
      throw new Error(
        `demo clock cannot go back from ${new Date(this.current).toISOString()} to ${instant.toISOString()}`,
      );
    }
    this.current = instant.getTime();
  }
}

/**
 * Story days and deadlines. Day 0 is STORY_DAYS calendar days before the end (the real "now" the
 * loader read once); `at(day, hour)` is a local wall-clock time on that day. Deadlines that must
 * land on a given light or ladder level at the end are found with the same domain functions the
 * engine uses (working-day calendar, escalation policy), so holidays such as 国庆 or 春节 move
 * them instead of breaking the story.
 */
export class StoryTime {
  readonly startDate: LocalDate;

  constructor(
    readonly end: Date,
    readonly timeZone: string,
    private readonly calendar: WorkingDayCalendar,
  ) {
    this.startDate = addCalendarDays(localDateOf(end, timeZone), -STORY_DAYS);
  }

  /** The local date of story day `day`. */
  date(day: number): LocalDate {
    return addCalendarDays(this.startDate, day);
  }

  /** `hour:minute` local time on story day `day`; days 0..STORY_DAYS-1 are always before the end. */
  at(day: number, hour: number, minute = 0): Date {
    return instantAtLocalTime(
      this.date(day),
      { hour, minute, second: 0, millisecond: 0 },
      this.timeZone,
    );
  }

  /** The story day of a local date. */
  dayOf(date: LocalDate): number {
    let day = 0;
    while (this.date(day) < date) day++;
    while (this.date(day) > date) day--;
    return day;
  }

  dueAt(date: LocalDate): Date {
    return endOfLocalDay(date, this.timeZone);
  }

  /** When each escalation step (level 1..n) fires for a deadline on `date`. */
  stepTimes(date: LocalDate, policy: EscalationPolicy): Date[] {
    return plannedTimeline(this.dueAt(date), policy, this.calendar, this.timeZone)
      .filter((item) => item.kind === 'step')
      .map((item) => item.firesAt);
  }

  /** The ladder level a still-open task due on `date` has reached at the end. */
  levelAtEnd(date: LocalDate, policy: EscalationPolicy): number {
    return this.stepTimes(date, policy).filter((t) => t.getTime() <= this.end.getTime()).length;
  }

  /**
   * A deadline (local date) such that an open task due then stands at `level` at the end.
   * `latest` takes the most recent such date, otherwise the middle one of the range; `stepBy`
   * asks that the step itself fired no later than that instant (so the story can react to it).
   */
  dueForLevel(
    level: number,
    policy: EscalationPolicy,
    options: { notBeforeDay: number; stepBy?: Date; pick: 'latest' | 'middle' },
  ): LocalDate {
    const candidates: LocalDate[] = [];
    for (let day = STORY_DAYS - 1; day >= options.notBeforeDay; day--) {
      const date = this.date(day);
      if (this.levelAtEnd(date, policy) !== level) continue;
      const fired = this.stepTimes(date, policy)[level - 1];
      if (options.stepBy && fired.getTime() > options.stepBy.getTime()) continue;
      candidates.push(date);
    }
    if (candidates.length === 0) {
      throw new Error(
        `no deadline between story days ${options.notBeforeDay} and ${STORY_DAYS - 1} reaches ladder level ${level} by ${this.end.toISOString()}`,
      );
    }
    return options.pick === 'latest'
      ? candidates[0]
      : candidates[Math.floor(candidates.length / 2)];
  }

  /** The blue window as tasks store it (blue_from): the default policy's working days. */
  blueFrom(date: LocalDate): Date | null {
    return blueWindowStart(
      this.dueAt(date),
      blueWithinWorkingDays(DEFAULT_ESCALATION_POLICY),
      this.calendar,
      this.timeZone,
    );
  }

  /** The latest deadline after the end whose blue light (deadline near) is already on at the end. */
  blueDue(): LocalDate {
    let found: LocalDate | null = null;
    for (let k = 0; k <= 20; k++) {
      const date = addCalendarDays(localDateOf(this.end, this.timeZone), k);
      const blue = this.blueFrom(date);
      if (this.dueAt(date) > this.end && blue !== null && blue <= this.end) found = date;
    }
    if (!found) throw new Error('no deadline after the end has its blue window open at the end');
    return found;
  }

  /** The first deadline at least `days` after the end whose blue window is still closed then. */
  greenDue(days: number): LocalDate {
    for (let k = days; k <= days + 60; k++) {
      const date = addCalendarDays(localDateOf(this.end, this.timeZone), k);
      const blue = this.blueFrom(date);
      if (blue === null || blue > this.end) return date;
    }
    throw new Error(`no deadline ${days}+ days after the end keeps its light green`);
  }
}
