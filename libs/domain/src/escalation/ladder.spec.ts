import { endOfLocalDay } from '../calendar/time-zone';
import { chinaCalendar } from '../calendar/working-day-calendar';
import { resolveOffset } from './offset';
import { DEFAULT_ESCALATION_POLICY } from './policy';
import {
  effectConsequences,
  ladderMarks,
  ladderPass,
  type LadderPassInput,
  latestOf,
  onLadder,
  talkDueFor,
} from './ladder';
import { type DueEffect, plannedTimeline } from './timeline';

const SH = 'Asia/Shanghai';
const cal = chinaCalendar();
// Wednesday 30 Sep 2026, end of the day in Shanghai; National Day follows.
const due = endOfLocalDay('2026-09-30', SH);
const timeline = plannedTimeline(due, DEFAULT_ESCALATION_POLICY, cal, SH);
const step = (level: number) => timeline.find((i) => i.kind === 'step' && i.level === level)!;
const reminders = timeline.filter((i) => i.kind === 'reminder');

function pass(over: Partial<LadderPassInput>) {
  return ladderPass({
    dueAt: due,
    deadlineSetAt: new Date('2026-09-01T00:00:00Z'),
    policy: DEFAULT_ESCALATION_POLICY,
    policyUpdatedAt: null,
    calendar: cal,
    timeZone: SH,
    applied: new Set(),
    now: due,
    ...over,
  });
}

describe('onLadder', () => {
  it('holds a task with a deadline that is being worked on, and no other', () => {
    expect(onLadder({ state: 'assigned', dueAt: due })).toBe(true);
    expect(onLadder({ state: 'in_progress', dueAt: due })).toBe(true);
    expect(onLadder({ state: 'submitted', dueAt: due })).toBe(false);
    expect(onLadder({ state: 'closed', dueAt: due })).toBe(false);
    expect(onLadder({ state: 'assigned', dueAt: null })).toBe(false);
  });
});

describe('latestOf', () => {
  it('takes the later instant, or the one given', () => {
    const a = new Date('2026-01-01T00:00:00Z');
    const b = new Date('2026-02-01T00:00:00Z');
    expect(latestOf(a, b)).toBe(b);
    expect(latestOf(b, a)).toBe(b);
    expect(latestOf(null, a)).toBe(a);
    expect(latestOf(a, null)).toBe(a);
    expect(latestOf(null, null)).toBeNull();
  });
});

describe('ladderPass', () => {
  it('first pass at the deadline: both reminders skipped (a step is due with them), 催办, then a timer for 督办', () => {
    const p = pass({});
    expect(p.due.map((e) => [e.key, e.superseded])).toEqual([
      [reminders[0].key, true],
      [reminders[1].key, true],
      [step(1).key, false],
    ]);
    expect(p.nextFireAt).toEqual(step(2).firesAt);
  });

  it('never applies an item twice: with its keys recorded, the same pass finds nothing new', () => {
    const first = pass({ now: step(2).firesAt });
    const again = pass({ now: step(2).firesAt, applied: new Set(first.due.map((e) => e.key)) });
    expect(again.due).toEqual([]);
    expect(again.nextFireAt).toEqual(first.nextFireAt);
    expect(first.nextFireAt).toEqual(step(3).firesAt);
  });

  it('after a long outage each missed step is applied once, in order, and nothing is left', () => {
    const p = pass({ now: new Date('2027-06-01T00:00:00Z') });
    expect(p.due.filter((e) => e.kind === 'step').map((e) => e.kind === 'step' && e.level)).toEqual(
      [1, 2, 3, 4],
    );
    expect(p.nextFireAt).toBeNull();
  });

  it('a new deadline (延期 approved) restarts the ladder from its first reminder', () => {
    const old = pass({ now: step(4).firesAt });
    const applied = new Set(old.due.map((e) => e.key));
    const newDue = endOfLocalDay('2026-12-31', SH);
    const restarted = pass({
      dueAt: newDue,
      deadlineSetAt: step(4).firesAt,
      applied,
      now: new Date('2026-11-20T00:00:00Z'),
    });
    // Nothing of the new plan fired yet; its first reminder is the next timer.
    expect(restarted.due).toEqual([]);
    expect(restarted.nextFireAt).toEqual(
      resolveOffset(newDue, { workingDays: 7 }, cal, SH, 'before'),
    );
    const atNewDeadline = pass({
      dueAt: newDue,
      deadlineSetAt: step(4).firesAt,
      applied,
      now: newDue,
    });
    expect(atNewDeadline.due.map((e) => e.kind === 'step' && e.level)).toContain(1);
    expect(atNewDeadline.due.every((e) => !applied.has(e.key))).toBe(true);
  });

  it('a reminder whose moment came before the deadline was set, or the policy changed, is skipped', () => {
    const afterFirst = new Date(reminders[0].firesAt.getTime() + 1000);
    const setLate = pass({ deadlineSetAt: afterFirst, now: afterFirst });
    expect(setLate.due.map((e) => [e.key, e.superseded])).toEqual([[reminders[0].key, true]]);
    const policyChanged = pass({
      deadlineSetAt: new Date('2026-09-01T00:00:00Z'),
      policyUpdatedAt: afterFirst,
      now: afterFirst,
    });
    expect(policyChanged.due.map((e) => e.superseded)).toEqual([true]);
    const onTime = pass({ now: afterFirst });
    expect(onTime.due.map((e) => e.superseded)).toEqual([false]);
  });
});

describe('effectConsequences', () => {
  const dueAt = (item: (typeof timeline)[number], superseded = false): DueEffect => ({
    ...item,
    superseded,
  });

  it('a reminder tells the responsible person, unless it is skipped', () => {
    expect(effectConsequences(dueAt(reminders[1]))).toEqual({
      audiences: ['responsible'],
      urgent: false,
      circulates: false,
      opensCase: false,
    });
    expect(effectConsequences(dueAt(reminders[0], true)).audiences).toEqual([]);
  });

  it('催办 is ordinary, 督办 urgent, 通报 circulates, 问责 opens a case', () => {
    const c = [1, 2, 3, 4].map((l) => effectConsequences(dueAt(step(l))));
    expect(c.map((x) => x.urgent)).toEqual([false, true, true, true]);
    expect(c.map((x) => x.circulates)).toEqual([false, false, true, false]);
    expect(c.map((x) => x.opensCase)).toEqual([false, false, false, true]);
    expect(c[0].audiences).toEqual(['responsible', 'leader']);
    expect(c[3].audiences).toContain('discipline');
  });
});

describe('talkDueFor', () => {
  it('通报 makes a talk due 10 working days later; no other effect does', () => {
    const at = step(3).firesAt;
    expect(talkDueFor({ ...step(3), superseded: false }, at, cal, SH)).toEqual(
      resolveOffset(at, { workingDays: 10 }, cal, SH),
    );
    expect(talkDueFor({ ...step(2), superseded: false }, at, cal, SH)).toBeNull();
    expect(talkDueFor({ ...reminders[1], superseded: false }, at, cal, SH)).toBeNull();
  });
});

describe('ladderMarks', () => {
  it('the highest level reached, 挂牌督办 from 2 and 通报 from 3', () => {
    expect(ladderMarks([])).toEqual({ level: 0, supervised: false, circulated: false });
    expect(ladderMarks([1])).toEqual({ level: 1, supervised: false, circulated: false });
    expect(ladderMarks([2, 1])).toEqual({ level: 2, supervised: true, circulated: false });
    expect(ladderMarks([1, 4, 3, 2])).toEqual({ level: 4, supervised: true, circulated: true });
  });
});
