import { endOfLocalDay } from '../calendar/time-zone';
import { chinaCalendar } from '../calendar/working-day-calendar';
import { resolveOffset, resolveOffsetDetailed } from './offset';
import { DEFAULT_ESCALATION_POLICY, EscalationPolicy } from './policy';
import { dueEffects, nextFiring, plannedTimeline, TimelineItem } from './timeline';

const SH = 'Asia/Shanghai';
const cal = chinaCalendar();
const iso = (d: Date) => d.toISOString();

describe('resolveOffset', () => {
  // Wednesday 30 Sep 2026, end of the day in Shanghai; National Day follows.
  const due = endOfLocalDay('2026-09-30', SH);

  it('working days skip the National Day holiday and keep the local time of day', () => {
    expect(iso(due)).toBe('2026-09-30T15:59:59.999Z');
    expect(iso(resolveOffset(due, { workingDays: 1 }, cal, SH))).toBe('2026-10-08T15:59:59.999Z');
    // 8, 9, 10 (Saturday, worked), 12, 13 Oct.
    expect(iso(resolveOffset(due, { workingDays: 5 }, cal, SH))).toBe('2026-10-13T15:59:59.999Z');
    expect(iso(resolveOffset(due, { workingDays: 0 }, cal, SH))).toBe(iso(due));
  });

  it('counts backwards for reminders, across 中秋 and the worked Sunday 20 Sep', () => {
    const fri = endOfLocalDay('2026-10-09', SH);
    // 8 Oct, 30, 29, 28, 24, 23, 22 Sep.
    expect(iso(resolveOffset(fri, { workingDays: 7 }, cal, SH, 'before'))).toBe(
      '2026-09-22T15:59:59.999Z',
    );
    // From 30 Sep: 29, 28, 24, 23, 22, 21, 20 (Sunday, worked).
    expect(iso(resolveOffset(due, { workingDays: 7 }, cal, SH, 'before'))).toBe(
      '2026-09-20T15:59:59.999Z',
    );
  });

  it('durations: calendar days keep the local time, the time part is exact', () => {
    expect(iso(resolveOffset(due, 'P7D', cal, SH))).toBe('2026-10-07T15:59:59.999Z');
    expect(iso(resolveOffset(due, 'P7D', cal, SH, 'before'))).toBe('2026-09-23T15:59:59.999Z');
    expect(iso(resolveOffset(due, 'PT30S', cal, SH))).toBe('2026-09-30T16:00:29.999Z');
    expect(iso(resolveOffset(due, 'P1DT2H', cal, SH))).toBe('2026-10-01T17:59:59.999Z');
    const jan31 = endOfLocalDay('2026-01-31', SH);
    expect(iso(resolveOffset(jan31, 'P1M', cal, SH))).toBe('2026-02-28T15:59:59.999Z');
  });

  it('the organisation time zone decides which day a working-day count starts from', () => {
    // 20:00 UTC on Thu 8 Oct is 04:00 on Fri 9 Oct in Shanghai.
    const t = new Date('2026-10-08T20:00:00Z');
    // Shanghai: Fri 9 → Sat 10 (worked) at 04:00 local.
    expect(iso(resolveOffset(t, { workingDays: 1 }, cal, SH))).toBe('2026-10-09T20:00:00.000Z');
    // UTC: Thu 8 → Fri 9 at 20:00.
    expect(iso(resolveOffset(t, { workingDays: 1 }, cal, 'UTC'))).toBe('2026-10-09T20:00:00.000Z');
    expect(iso(resolveOffset(t, { workingDays: 2 }, cal, SH))).toBe('2026-10-11T20:00:00.000Z');
    expect(iso(resolveOffset(t, { workingDays: 2 }, cal, 'UTC'))).toBe('2026-10-10T20:00:00.000Z');
  });

  it('reports known: false beyond the calendar data', () => {
    const late = endOfLocalDay('2026-12-30', SH);
    expect(resolveOffsetDetailed(late, { workingDays: 1 }, cal, SH).known).toBe(true);
    expect(resolveOffsetDetailed(late, { workingDays: 5 }, cal, SH)).toEqual({
      at: new Date('2027-01-06T15:59:59.999Z'),
      known: false,
    });
    expect(resolveOffsetDetailed(late, 'P10D', cal, SH).known).toBe(true);
  });
});

describe('plannedTimeline', () => {
  const due = endOfLocalDay('2026-09-30', SH);
  const timeline = plannedTimeline(due, DEFAULT_ESCALATION_POLICY, cal, SH);

  it('lists reminders then steps, oldest first, with working days counted on the calendar', () => {
    expect(
      timeline.map((i) => [i.kind, i.kind === 'step' ? i.level : i.index, iso(i.firesAt)]),
    ).toEqual([
      ['reminder', 0, '2026-09-20T15:59:59.999Z'],
      ['reminder', 1, '2026-09-29T15:59:59.999Z'],
      ['step', 1, '2026-09-30T15:59:59.999Z'],
      ['step', 2, '2026-10-13T15:59:59.999Z'],
      ['step', 3, '2026-10-20T15:59:59.999Z'],
      ['step', 4, '2026-11-03T15:59:59.999Z'],
    ]);
  });

  it('keys are scoped to the deadline; only the last step opens a case', () => {
    expect(timeline.map((i) => i.key)).toEqual([
      'reminder:wd:7@2026-09-30T15:59:59.999Z',
      'reminder:wd:1@2026-09-30T15:59:59.999Z',
      'step:1@2026-09-30T15:59:59.999Z',
      'step:2@2026-09-30T15:59:59.999Z',
      'step:3@2026-09-30T15:59:59.999Z',
      'step:4@2026-09-30T15:59:59.999Z',
    ]);
    expect(timeline.filter((i) => i.kind === 'step' && i.opensAccountabilityCase)).toHaveLength(1);
    expect(timeline[5]).toMatchObject({ name: '问责', opensAccountabilityCase: true });
    expect(timeline.every((i) => i.known)).toBe(true);
    const extended = plannedTimeline(
      endOfLocalDay('2026-10-16', SH),
      DEFAULT_ESCALATION_POLICY,
      cal,
      SH,
    );
    expect(extended.some((i) => timeline.some((j) => j.key === i.key))).toBe(false);
  });

  it('sorts reminders by when they fire, whatever their order in the policy', () => {
    const p: EscalationPolicy = {
      remindBefore: ['PT1H', 'P2D'],
      steps: [{ level: 1, name: '问责', after: 'PT0S', notify: ['discipline'] }],
    };
    const t = plannedTimeline(due, p, cal, SH);
    expect(t.map((i) => (i.kind === 'reminder' ? i.index : -i.level))).toEqual([1, 0, -1]);
  });

  it('never lets a step fire before the one below it', () => {
    // Jan 31 + 1 month = Feb 28 comes before Jan 31 + 30 days = Mar 2.
    const p: EscalationPolicy = {
      remindBefore: [],
      steps: [
        { level: 1, name: 'a', after: 'P30D', notify: ['leader'] },
        { level: 2, name: 'b', after: 'P1M', notify: ['leader'] },
      ],
    };
    const t = plannedTimeline(endOfLocalDay('2026-01-31', SH), p, cal, SH);
    expect(t.map((i) => iso(i.firesAt))).toEqual([
      '2026-03-02T15:59:59.999Z',
      '2026-03-02T15:59:59.999Z',
    ]);
  });
});

describe('dueEffects: the catch-up rule', () => {
  const due = endOfLocalDay('2026-09-30', SH);
  const timeline = plannedTimeline(due, DEFAULT_ESCALATION_POLICY, cal, SH);
  const keys = (items: readonly TimelineItem[]) => items.map((i) => i.key);

  it('returns nothing before the first reminder', () => {
    expect(dueEffects(timeline, [], new Date('2026-09-20T15:59:59.998Z'))).toEqual([]);
  });

  it('fires an item at exactly its instant', () => {
    const effects = dueEffects(timeline, [], new Date('2026-09-20T15:59:59.999Z'));
    expect(keys(effects)).toEqual([timeline[0].key]);
    expect(effects[0].superseded).toBe(false);
  });

  it('after downtime returns every missed item once, in order, stale reminders superseded', () => {
    const now = new Date('2026-10-21T00:00:00Z'); // past level 3, before level 4
    const effects = dueEffects(timeline, new Set<string>(), now);
    expect(effects.map((e) => [e.kind === 'step' ? `L${e.level}` : 'R', e.superseded])).toEqual([
      ['R', true],
      ['R', true],
      ['L1', false],
      ['L2', false],
      ['L3', false],
    ]);
    // Applying them makes the next sweep quiet.
    expect(dueEffects(timeline, keys(effects), now)).toEqual([]);
    expect(nextFiring(timeline, keys(effects), now)).toEqual(timeline[5].firesAt);
  });

  it('skips what was applied and keeps the order of the rest', () => {
    const applied = new Set([timeline[0].key, timeline[1].key, timeline[2].key]);
    const effects = dueEffects(timeline, applied, new Date('2026-12-01T00:00:00Z'));
    expect(effects.map((e) => (e.kind === 'step' ? e.level : 0))).toEqual([2, 3, 4]);
    expect(nextFiring(timeline, keys(timeline), new Date('2026-12-01T00:00:00Z'))).toBeNull();
  });

  it('a reminder added after a later item was applied is skipped, not sent (a policy change)', () => {
    // The task is at level 1 (督办 not yet); a new policy adds a reminder 7 working days before.
    const oneStep = new Set([timeline[2].key]);
    const withNewReminder: TimelineItem[] = [
      { ...timeline[0], key: 'reminder:wd:9@' + due.toISOString() },
      ...timeline,
    ];
    const effects = dueEffects(
      withNewReminder,
      new Set([...oneStep, timeline[0].key, timeline[1].key]),
      new Date('2026-10-02T00:00:00Z'),
    );
    expect(effects.map((e) => [e.key, e.superseded])).toEqual([
      ['reminder:wd:9@' + due.toISOString(), true],
    ]);
  });

  it('a reminder whose moment passed before the plan it belongs to existed is skipped', () => {
    // The policy (or the deadline) was set on 25 Sep, after the first reminder's moment (20 Sep)
    // and before the second's (29 Sep): only the second is sent.
    const plannedAt = new Date('2026-09-25T00:00:00Z');
    const late = dueEffects(timeline, [], new Date('2026-09-25T00:00:01Z'), plannedAt);
    expect(late.map((e) => [e.key, e.superseded])).toEqual([[timeline[0].key, true]]);
    const onTime = dueEffects(timeline, [timeline[0].key], timeline[1].firesAt, plannedAt);
    expect(onTime.map((e) => [e.key, e.superseded])).toEqual([[timeline[1].key, false]]);
    // Steps are never skipped: the ladder must happen even when it is late.
    const steps = dueEffects(
      timeline,
      [],
      new Date('2026-10-09T00:00:00Z'),
      new Date('2026-10-08T23:00:00Z'),
    );
    expect(steps.filter((e) => e.kind === 'step').every((e) => !e.superseded)).toBe(true);
    expect(steps.length).toBeGreaterThan(0);
  });

  it('a sweep every few hours with an outage applies each item exactly once', () => {
    const applied: string[] = [];
    const fired: { key: string; at: Date }[] = [];
    const start = new Date('2026-09-15T00:00:00Z').getTime();
    const end = new Date('2026-11-10T00:00:00Z').getTime();
    for (let t = start; t <= end; t += 3 * 3_600_000) {
      const now = new Date(t);
      // The worker is down from 1 Oct to 25 Oct.
      if (now >= new Date('2026-10-01T00:00:00Z') && now < new Date('2026-10-25T00:00:00Z'))
        continue;
      for (const e of dueEffects(timeline, applied, now)) {
        applied.push(e.key);
        fired.push({ key: e.key, at: now });
      }
    }
    expect(fired.map((f) => f.key)).toEqual(keys(timeline));
    expect(new Set(applied).size).toBe(applied.length);
    // Levels 2 and 3, missed during the outage, came together on the first sweep after it.
    expect(fired[3].at).toEqual(new Date('2026-10-25T00:00:00Z'));
    expect(fired[4].at).toEqual(new Date('2026-10-25T00:00:00Z'));
    // Level 4 came on time, within one sweep interval.
    expect(fired[5].at.getTime() - timeline[5].firesAt.getTime()).toBeLessThan(3 * 3_600_000);
  });
});
