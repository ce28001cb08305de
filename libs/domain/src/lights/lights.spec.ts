import fc from 'fast-check';
import { endOfLocalDay } from '../calendar/time-zone';
import { chinaCalendar } from '../calendar/working-day-calendar';
import { TASK_STATES } from '../lifecycle/task';
import {
  blueWindowStart,
  compareLights,
  isLight,
  Light,
  LIGHT_LABELS,
  LIGHT_ORDER,
  LightInput,
  lightOf,
  LIGHTS,
  nextLightChange,
} from './lights';

const SH = 'Asia/Shanghai';
const cal = chinaCalendar();
// Due Friday 9 Oct 2026, end of the day in Shanghai; the blue window opens 3 working days
// before: Tue 29 Sep 23:59:59.999 (30 Sep, 8 Oct and 9 Oct remain; 1–7 Oct are holidays).
const dueAt = endOfLocalDay('2026-10-09', SH);
const blueAt = blueWindowStart(dueAt, 3, cal, SH);

const input = (over: Partial<LightInput> = {}): LightInput => ({
  state: 'in_progress',
  dueAt,
  mode: 'deadline',
  lastCheckResult: null,
  quarterlyReportLate: false,
  now: new Date('2026-09-01T00:00:00Z'),
  blueWindowStartsAt: blueAt,
  ...over,
});

describe('blueWindowStart', () => {
  it('counts working days back from the deadline, skipping the National Day holiday', () => {
    expect(blueAt?.toISOString()).toBe('2026-09-29T15:59:59.999Z');
    expect(blueWindowStart(dueAt, 0, cal, SH)).toBeNull();
    expect(blueWindowStart(endOfLocalDay('2026-10-16', SH), 3, cal, SH)?.toISOString()).toBe(
      '2026-10-13T15:59:59.999Z',
    );
  });
});

describe('lightOf', () => {
  it('green for a measure whose problem was withdrawn (撤回): nothing is owed any more', () => {
    const late = new Date('2026-10-10T00:00:00Z');
    expect(lightOf(input({ now: late }))).toBe('red');
    expect(lightOf(input({ now: late, withdrawn: true }))).toBe('green');
    expect(lightOf(input({ lastCheckResult: 'lagging', withdrawn: true }))).toBe('green');
  });

  it('green when on track and the deadline is far', () => {
    expect(lightOf(input())).toBe('green');
    expect(lightOf(input({ lastCheckResult: 'on_track' }))).toBe('green');
  });

  it('blue from the instant the near-deadline window opens until the deadline', () => {
    expect(lightOf(input({ now: new Date('2026-09-29T15:59:59.998Z') }))).toBe('green');
    expect(lightOf(input({ now: new Date('2026-09-29T15:59:59.999Z') }))).toBe('blue');
    expect(lightOf(input({ now: new Date('2026-10-05T00:00:00Z') }))).toBe('blue');
    expect(lightOf(input({ now: dueAt }))).toBe('blue');
    expect(lightOf(input({ now: dueAt, blueWindowStartsAt: null }))).toBe('green');
  });

  it('red once overdue (strictly after the due instant), whatever else holds', () => {
    const late = new Date(dueAt.getTime() + 1);
    expect(lightOf(input({ now: late }))).toBe('red');
    expect(lightOf(input({ now: late, lastCheckResult: 'superficial' }))).toBe('red');
    expect(lightOf(input({ now: late, state: 'submitted' }))).toBe('red');
    expect(lightOf(input({ now: late, state: 'assigned', quarterlyReportLate: true }))).toBe('red');
  });

  it('yellow when a check found it lagging or superficial, or the quarterly report is late', () => {
    expect(lightOf(input({ lastCheckResult: 'lagging' }))).toBe('yellow');
    expect(lightOf(input({ lastCheckResult: 'superficial' }))).toBe('yellow');
    expect(lightOf(input({ quarterlyReportLate: true }))).toBe('yellow');
    expect(lightOf(input({ behindPlannedPace: true }))).toBe('yellow');
    // Yellow outranks blue.
    expect(lightOf(input({ now: dueAt, lastCheckResult: 'lagging' }))).toBe('yellow');
  });

  it('verified and closed tasks are green even when past the deadline or flagged', () => {
    const late = new Date(dueAt.getTime() + 86_400_000);
    for (const state of ['verified', 'closed'] as const) {
      expect(lightOf(input({ state, now: late, lastCheckResult: 'superficial' }))).toBe('green');
    }
  });

  it('standing measures (长期坚持) have no deadline: never red or blue, yellow when late', () => {
    const standing = input({
      mode: 'standing',
      dueAt: null,
      now: new Date('2030-01-01T00:00:00Z'),
    });
    expect(lightOf(standing)).toBe('green');
    expect(lightOf({ ...standing, quarterlyReportLate: true })).toBe('yellow');
    // A stray deadline on a standing measure is ignored.
    expect(lightOf({ ...standing, dueAt })).toBe('green');
  });

  it('immediate measures (立行立改) follow their deadline like any other', () => {
    expect(lightOf(input({ mode: 'immediate', now: new Date(dueAt.getTime() + 1) }))).toBe('red');
  });

  it('precedence red > yellow > blue > green holds for every combination', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TASK_STATES),
        fc.constantFrom('on_track' as const, 'lagging' as const, 'superficial' as const, null),
        fc.boolean(),
        fc.integer({ min: -30, max: 30 }),
        (state, check, late, dayOffset) => {
          const now = new Date(dueAt.getTime() + dayOffset * 86_400_000);
          const light = lightOf(
            input({ state, lastCheckResult: check, quarterlyReportLate: late, now }),
          );
          const done = state === 'verified' || state === 'closed';
          const flagged = late || check === 'lagging' || check === 'superficial';
          const expected: Light = done
            ? 'green'
            : now > dueAt
              ? 'red'
              : flagged
                ? 'yellow'
                : blueAt !== null && now >= blueAt
                  ? 'blue'
                  : 'green';
          expect(light).toBe(expected);
        },
      ),
    );
  });
});

describe('light order and labels', () => {
  it('sorts most urgent first', () => {
    const lights: Light[] = ['green', 'blue', 'red', 'yellow', 'green', 'red'];
    expect([...lights].sort(compareLights)).toEqual([
      'red',
      'red',
      'yellow',
      'blue',
      'green',
      'green',
    ]);
    expect(LIGHTS.map((l) => LIGHT_ORDER[l])).toEqual([0, 1, 2, 3]);
  });

  it('has zh-CN labels', () => {
    expect(LIGHT_LABELS).toEqual({ red: '红', yellow: '黄', blue: '蓝', green: '绿' });
  });

  it('recognises light names from query strings', () => {
    expect(isLight('red')).toBe(true);
    expect(isLight('orange')).toBe(false);
    expect(isLight(undefined)).toBe(false);
  });
});

describe('nextLightChange', () => {
  it('is the blue window start, then the first overdue instant, then nothing', () => {
    expect(nextLightChange(input())).toEqual(blueAt);
    expect(nextLightChange(input({ now: dueAt }))).toEqual(new Date(dueAt.getTime() + 1));
    expect(nextLightChange(input({ now: new Date(dueAt.getTime() + 1) }))).toBeNull();
    expect(nextLightChange(input({ state: 'closed' }))).toBeNull();
    expect(nextLightChange(input({ mode: 'standing', dueAt: null }))).toBeNull();
  });
});
