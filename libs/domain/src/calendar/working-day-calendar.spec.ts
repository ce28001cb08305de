import fc from 'fast-check';
import {
  chinaCalendar,
  validateCalendarOverrides,
  WorkingDayCalendar,
} from './working-day-calendar';
import { addCalendarDays, weekdayOf } from './local-date';

describe('WorkingDayCalendar (mainland China, chinese-days data)', () => {
  const cal = chinaCalendar();

  it('knows 2004 through 2026 and nothing beyond', () => {
    expect(cal.knownRange).toEqual({ from: '2004-01-01', to: '2026-12-31' });
    expect(cal.covers('2026-12-31')).toBe(true);
    expect(cal.covers('2004-01-01')).toBe(true);
    expect(cal.covers('2027-01-01')).toBe(false);
    expect(cal.covers('2003-12-31')).toBe(false);
  });

  describe('National Day 2026 (国庆节: 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked)', () => {
    it.each([
      ['2026-09-18', true], // Friday
      ['2026-09-19', false], // Saturday
      ['2026-09-20', true], // Sunday, adjusted working day (调休上班)
      ['2026-09-25', false], // Friday, 中秋节
      ['2026-09-30', true], // Wednesday
      ['2026-10-01', false],
      ['2026-10-05', false], // Monday inside the holiday
      ['2026-10-07', false], // Wednesday, last day off
      ['2026-10-08', true],
      ['2026-10-10', true], // Saturday, adjusted working day
      ['2026-10-11', false], // Sunday
    ])('%s working=%s', (date, working) => {
      expect(cal.isWorkingDay(date)).toBe(working);
      expect(cal.dayInfo(date).known).toBe(true);
    });

    it('names the holiday and the adjusted working day', () => {
      expect(cal.dayInfo('2026-10-03')).toEqual({
        date: '2026-10-03',
        working: false,
        known: true,
        source: 'holiday_data',
        name: '国庆节',
      });
      expect(cal.dayInfo('2026-10-10')).toMatchObject({ working: true, name: '国庆节' });
      expect(cal.dayInfo('2026-10-12')).toMatchObject({ source: 'weekday_rule', name: null });
    });

    it('counts a deadline across the holiday: 30 Sep + 1 working day is 8 Oct', () => {
      expect(cal.addWorkingDays('2026-09-30', 1)).toEqual({ date: '2026-10-08', known: true });
      expect(cal.addWorkingDays('2026-09-30', 2).date).toBe('2026-10-09');
      // The Saturday 10 Oct is worked, so it counts.
      expect(cal.addWorkingDays('2026-09-30', 3).date).toBe('2026-10-10');
      expect(cal.addWorkingDays('2026-09-30', 4).date).toBe('2026-10-12');
      // Mid-autumn (25–27 Sep) and National Day together: Thu 24 Sep + 5 = Sat 10 Oct.
      expect(cal.addWorkingDays('2026-09-24', 4).date).toBe('2026-10-08');
      expect(cal.addWorkingDays('2026-09-24', 6).date).toBe('2026-10-10');
    });

    it('counts backwards across the holiday', () => {
      expect(cal.addWorkingDays('2026-10-08', -1).date).toBe('2026-09-30');
      expect(cal.addWorkingDays('2026-10-12', -1).date).toBe('2026-10-10');
      expect(cal.addWorkingDays('2026-10-12', -5).date).toBe('2026-09-29');
      // From Monday 21 Sep one back is the worked Sunday 20 Sep, two back Friday 18 Sep.
      expect(cal.addWorkingDays('2026-09-21', -1).date).toBe('2026-09-20');
      expect(cal.addWorkingDays('2026-09-21', -2).date).toBe('2026-09-18');
    });
  });

  it('Spring Festival 2026: Sat 14 Feb worked, 15–23 Feb off, Sat 28 Feb worked', () => {
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-23')).toBe(false);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
    expect(cal.addWorkingDays('2026-02-13', 2).date).toBe('2026-02-24');
  });

  it('n = 0 returns the date itself, even on a day off; the start is never counted', () => {
    expect(cal.addWorkingDays('2026-10-03', 0)).toEqual({ date: '2026-10-03', known: true });
    expect(cal.addWorkingDays('2026-10-03', 1).date).toBe('2026-10-08');
    expect(cal.addWorkingDays('2026-10-03', -1).date).toBe('2026-09-30');
  });

  it('answers a repeated question as it answered it first (results are kept per calendar)', () => {
    const shared = new WorkingDayCalendar({
      overrides: [{ date: '2027-01-04', kind: 'holiday' }],
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 366 }),
        fc.integer({ min: -40, max: 40 }),
        (offset, n) => {
          const date = addCalendarDays('2025-01-01', offset);
          const first = shared.addWorkingDays(date, n);
          const fresh = new WorkingDayCalendar({
            overrides: [{ date: '2027-01-04', kind: 'holiday' }],
          }).addWorkingDays(date, n);
          expect(first).toEqual(fresh);
          expect(shared.addWorkingDays(date, n)).toEqual(fresh);
        },
      ),
      { numRuns: 300 },
    );
    expect(() => shared.addWorkingDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => shared.addWorkingDays('2026-02-27', 1.5)).toThrow(RangeError);
  });

  it('rejects malformed dates and non-integer counts', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2026/10/01')).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2026-10-01', 1.5)).toThrow(RangeError);
  });

  describe('beyond the known data', () => {
    it('falls back to Monday–Friday and reports known: false', () => {
      // 1 Jan 2027 is a Friday; without data it counts as a working day.
      expect(cal.dayInfo('2027-01-01')).toEqual({
        date: '2027-01-01',
        working: true,
        known: false,
        source: 'weekday_rule',
        name: null,
      });
      expect(cal.addWorkingDays('2027-01-01', 1)).toEqual({ date: '2027-01-04', known: false });
    });

    it('marks a count as unknown as soon as it crosses into an unknown year', () => {
      expect(cal.addWorkingDays('2026-12-30', 1)).toEqual({ date: '2026-12-31', known: true });
      expect(cal.addWorkingDays('2026-12-30', 2)).toEqual({ date: '2027-01-01', known: false });
      expect(cal.addWorkingDays('2027-01-04', -2)).toEqual({ date: '2026-12-31', known: false });
    });

    it('overrides add a year the package does not know yet, and win over the data', () => {
      const withOverrides = new WorkingDayCalendar({
        overrides: [
          { date: '2027-01-01', kind: 'holiday', name: '元旦' },
          { date: '2027-02-06', kind: 'workday' }, // a Saturday
          { date: '2026-10-12', kind: 'holiday' }, // correct a known year
        ],
      });
      expect(withOverrides.covers('2027-06-01')).toBe(true);
      expect(withOverrides.knownRange).toEqual({ from: '2004-01-01', to: '2027-12-31' });
      expect(withOverrides.dayInfo('2027-01-01')).toMatchObject({
        working: false,
        known: true,
        source: 'override',
        name: '元旦',
      });
      expect(withOverrides.isWorkingDay('2027-02-06')).toBe(true);
      expect(withOverrides.addWorkingDays('2026-12-31', 1)).toEqual({
        date: '2027-01-04',
        known: true,
      });
      expect(withOverrides.isWorkingDay('2026-10-12')).toBe(false);
      expect(withOverrides.addWorkingDays('2026-10-10', 1).date).toBe('2026-10-13');
      // The shared instance is untouched.
      expect(cal.isWorkingDay('2026-10-12')).toBe(true);
    });

    it('knownRange is the run of consecutive years that ends with the latest', () => {
      const gap = new WorkingDayCalendar({ overrides: [{ date: '2030-01-01', kind: 'holiday' }] });
      expect(gap.knownRange).toEqual({ from: '2030-01-01', to: '2030-12-31' });
      expect(gap.covers('2028-03-01')).toBe(false);
      expect(gap.covers('2020-03-02')).toBe(true);
    });

    it('works with no data at all (Monday–Friday everywhere)', () => {
      const empty = new WorkingDayCalendar({ data: { holidays: {}, workdays: {} } });
      expect(empty.knownRange).toBeNull();
      expect(empty.isWorkingDay('2026-10-01')).toBe(true);
      expect(empty.addWorkingDays('2026-10-02', 1)).toEqual({ date: '2026-10-05', known: false });
    });
  });

  describe('validateCalendarOverrides', () => {
    it('accepts a well-formed list', () => {
      expect(validateCalendarOverrides([{ date: '2027-10-01', kind: 'holiday' }])).toEqual({
        ok: true,
        value: [{ date: '2027-10-01', kind: 'holiday' }],
      });
    });

    it('reports every bad entry with its field', () => {
      const result = validateCalendarOverrides([
        { date: '2027-13-01', kind: 'holiday' },
        { date: '2027-10-01', kind: 'weekend' },
        'x',
        { date: '2027-10-02', kind: 'holiday' },
        { date: '2027-10-02', kind: 'workday' },
      ]);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.map((e) => e.field)).toEqual([
        'overrides[0].date',
        'overrides[1].kind',
        'overrides[2]',
        'overrides[4].date',
      ]);
      for (const e of result.errors) expect(e.message).toContain(e.field);
      expect(validateCalendarOverrides({}).ok).toBe(false);
    });

    it('the constructor refuses invalid overrides', () => {
      expect(
        () => new WorkingDayCalendar({ overrides: [{ date: 'tomorrow', kind: 'holiday' }] }),
      ).toThrow(/overrides\[0\]\.date/);
    });
  });

  describe('properties', () => {
    const dates = fc
      .integer({ min: 0, max: 365 * 25 })
      .map((n) => addCalendarDays('2003-06-01', n));

    it('adding n working days lands on a working day and subtracting n comes back', () => {
      fc.assert(
        fc.property(dates, fc.integer({ min: 1, max: 60 }), (date, n) => {
          const forward = cal.addWorkingDays(date, n).date;
          expect(cal.isWorkingDay(forward)).toBe(true);
          expect(forward > date).toBe(true);
          const back = cal.addWorkingDays(forward, -n).date;
          // Back lands on the first working day at or after `date` … counted from `forward`.
          if (cal.isWorkingDay(date)) expect(back).toBe(date);
          else expect(back < date).toBe(true);
        }),
      );
    });

    it('outside known years the answer is exactly Monday–Friday', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 3650 }).map((n) => addCalendarDays('2027-01-01', n)),
          (date) => {
            const w = weekdayOf(date);
            expect(cal.isWorkingDay(date)).toBe(w >= 1 && w <= 5);
            expect(cal.covers(date)).toBe(false);
          },
        ),
      );
    });
  });
});
