import fc from 'fast-check';
import {
  endOfLocalDay,
  instantAtLocalTime,
  localDateOf,
  localTimeOf,
  quarterByLabel,
  quarterOf,
  startOfLocalDay,
  zoneOffsetMs,
} from './time-zone';
import {
  addCalendarDays,
  addCalendarMonths,
  calendarDaysBetween,
  isLocalDate,
  weekdayOf,
} from './local-date';

const SH = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);

describe('local dates', () => {
  it('validates real calendar dates only', () => {
    expect(isLocalDate('2026-02-28')).toBe(true);
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2026-2-1')).toBe(false);
    expect(isLocalDate(20260201)).toBe(false);
  });

  it('adds days and months without the host zone getting in the way', () => {
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addCalendarMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addCalendarMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addCalendarMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(addCalendarMonths('2026-01-15', -13)).toBe('2024-12-15');
    expect(weekdayOf('2026-10-10')).toBe(6);
    expect(calendarDaysBetween('2026-09-30', '2026-10-08')).toBe(8);
  });
});

describe('time zones (Intl only)', () => {
  it('endOfLocalDay is 23:59:59.999 in the given zone', () => {
    expect(endOfLocalDay('2026-10-09', SH).toISOString()).toBe('2026-10-09T15:59:59.999Z');
    expect(endOfLocalDay('2026-10-09', 'UTC').toISOString()).toBe('2026-10-09T23:59:59.999Z');
    expect(startOfLocalDay('2026-10-09', SH).toISOString()).toBe('2026-10-08T16:00:00.000Z');
  });

  it('the same instant is a different day in Shanghai and in UTC', () => {
    const instant = at('2026-09-30T16:30:00Z');
    expect(localDateOf(instant, SH)).toBe('2026-10-01');
    expect(localDateOf(instant, 'UTC')).toBe('2026-09-30');
    expect(localTimeOf(instant, SH)).toEqual({ hour: 0, minute: 30, second: 0, millisecond: 0 });
    // The last millisecond of a Shanghai day and the first of the next.
    expect(localDateOf(at('2026-10-09T15:59:59.999Z'), SH)).toBe('2026-10-09');
    expect(localDateOf(at('2026-10-09T16:00:00.000Z'), SH)).toBe('2026-10-10');
    expect(zoneOffsetMs(instant, SH)).toBe(8 * 3_600_000);
  });

  it('quarterOf: the quarter starts at local midnight on its first day', () => {
    const instant = at('2026-09-30T16:00:00Z'); // 00:00 on 1 Oct in Shanghai
    expect(quarterOf(instant, SH)).toEqual({
      year: 2026,
      quarter: 4,
      label: '2026Q4',
      start: at('2026-09-30T16:00:00.000Z'),
      end: at('2026-12-31T15:59:59.999Z'),
    });
    expect(quarterOf(instant, 'UTC')).toEqual({
      year: 2026,
      quarter: 3,
      label: '2026Q3',
      start: at('2026-07-01T00:00:00.000Z'),
      end: at('2026-09-30T23:59:59.999Z'),
    });
    expect(quarterOf(at('2026-09-30T15:59:59.999Z'), SH).quarter).toBe(3);
    expect(quarterOf(at('2026-12-31T16:00:00Z'), SH)).toMatchObject({ year: 2027, quarter: 1 });
  });

  it('quarterByLabel parses the reports API spelling', () => {
    expect(quarterByLabel('2026Q1', SH)).toMatchObject({
      start: at('2025-12-31T16:00:00.000Z'),
      end: at('2026-03-31T15:59:59.999Z'),
    });
    expect(quarterByLabel('2026Q5', SH)).toBeNull();
    expect(quarterByLabel('2026-Q1', SH)).toBeNull();
  });

  it('handles daylight-saving days in zones that have them', () => {
    const ny = 'America/New_York';
    // 8 Mar 2026 is 23 hours long in New York.
    expect(startOfLocalDay('2026-03-08', ny).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(endOfLocalDay('2026-03-08', ny).toISOString()).toBe('2026-03-09T03:59:59.999Z');
    // 02:30 does not exist that day: it moves forward by the gap to 03:30 EDT.
    const gap = instantAtLocalTime(
      '2026-03-08',
      { hour: 2, minute: 30, second: 0, millisecond: 0 },
      ny,
    );
    expect(gap.toISOString()).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 happens twice on 1 Nov 2026: the earlier one (EDT) wins.
    const twice = instantAtLocalTime(
      '2026-11-01',
      { hour: 1, minute: 30, second: 0, millisecond: 0 },
      ny,
    );
    expect(twice.toISOString()).toBe('2026-11-01T05:30:00.000Z');
    // Santiago skips midnight: 6 Sep 2026 starts at 01:00 (-03).
    expect(startOfLocalDay('2026-09-06', 'America/Santiago').toISOString()).toBe(
      '2026-09-06T04:00:00.000Z',
    );
    // … and repeats 23:00–24:00 on 4 Apr 2026: the day ends after the second pass.
    expect(endOfLocalDay('2026-04-04', 'America/Santiago').toISOString()).toBe(
      '2026-04-05T03:59:59.999Z',
    );
  });

  it('rejects unknown zones and invalid instants', () => {
    expect(() => endOfLocalDay('2026-10-09', 'Mars/Olympus')).toThrow(RangeError);
    expect(() => localDateOf(new Date(NaN), SH)).toThrow(RangeError);
    expect(() => endOfLocalDay('2026-10-32', SH)).toThrow(RangeError);
  });

  it('round-trips: the instant of a local time shows that date and time again', () => {
    const zones = fc.constantFrom(SH, 'UTC', 'Europe/Berlin', 'America/Los_Angeles');
    fc.assert(
      fc.property(
        zones,
        fc.integer({ min: 0, max: 3650 }).map((n) => addCalendarDays('2020-01-01', n)),
        fc.integer({ min: 0, max: 86_399_999 }),
        (zone, date, msOfDay) => {
          const instant = endOfLocalDay(date, zone);
          expect(localDateOf(instant, zone)).toBe(date);
          expect(localDateOf(new Date(instant.getTime() + 1), zone)).toBe(addCalendarDays(date, 1));
          const time = {
            hour: Math.floor(msOfDay / 3_600_000),
            minute: Math.floor(msOfDay / 60_000) % 60,
            second: Math.floor(msOfDay / 1000) % 60,
            millisecond: msOfDay % 1000,
          };
          const t = instantAtLocalTime(date, time, zone);
          // Outside DST gaps the wall clock reads back exactly.
          if (zone === SH || zone === 'UTC') {
            expect(localDateOf(t, zone)).toBe(date);
            expect(localTimeOf(t, zone)).toEqual(time);
          }
        },
      ),
    );
  });
});

describe('wall clocks read from a cached offset', () => {
  /** What Intl says, field by field: the reference the cached offsets must agree with. */
  const formats = new Map<string, Intl.DateTimeFormat>();
  const intlWallClock = (ms: number, timeZone: string) => {
    let format = formats.get(timeZone);
    if (!format) {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      formats.set(timeZone, format);
    }
    const parts = format.formatToParts(new Date(ms));
    const f = Object.fromEntries(parts.map((p) => [p.type, p.value]));
    const date = `${f.year.padStart(4, '0')}-${f.month.padStart(2, '0')}-${f.day.padStart(2, '0')}`;
    return { date, time: [Number(f.hour) % 24, Number(f.minute), Number(f.second)] };
  };
  // Zones with daylight saving at whole hours, at half hours (Lord Howe: 30 minutes, at 02:00
  // local, i.e. in the middle of a UTC hour), at quarter-hour offsets, and without any.
  const zones = [
    'Asia/Shanghai',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'America/St_Johns',
    'Pacific/Chatham',
  ];

  it('agrees with Intl at every instant, across daylight-saving changes in both directions', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        // 1990–2040, and instants clustered around each zone's changes by the minute grid.
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.integer({ min: -90, max: 90 }),
        (zone, ms, minutes) => {
          const t = Math.floor(ms / 3_600_000) * 3_600_000 + minutes * 60_000 + (ms % 60_000);
          const want = intlWallClock(t, zone);
          const local = localTimeOf(new Date(t), zone);
          expect(localDateOf(new Date(t), zone)).toBe(want.date);
          expect([local.hour, local.minute, local.second]).toEqual(want.time);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees with Intl minute by minute around every change of 2026 and 2027', () => {
    const offsetAt = (t: number, zone: string) => {
      const w = intlWallClock(t, zone);
      const [y, m, d] = w.date.split('-').map(Number);
      return Date.UTC(y, m - 1, d, ...(w.time as [number, number, number])) - t;
    };
    let changes = 0;
    for (const zone of zones) {
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2028, 0, 1); t += 3_600_000) {
        if (offsetAt(t, zone) === offsetAt(t + 3_600_000, zone)) continue;
        changes++;
        for (let u = t - 2 * 3_600_000; u <= t + 3 * 3_600_000; u += 60_000) {
          const want = intlWallClock(u, zone);
          const local = localTimeOf(new Date(u), zone);
          expect(localDateOf(new Date(u), zone)).toBe(want.date);
          expect([local.hour, local.minute, local.second]).toEqual(want.time);
        }
      }
    }
    expect(changes).toBe(20); // New York, London, Lord Howe, St John's, Chatham: twice a year
  });

  it('is right on each side of a change that falls inside a UTC hour', () => {
    // Lord Howe leaves daylight saving on 2026-04-05 at 02:00 local (+11) → 01:30 (+10:30),
    // i.e. at 2026-04-04T15:00Z; it begins on 2026-10-04 at 02:00 (+10:30) → 02:30 (+11),
    // i.e. at 2026-10-03T15:30Z, half-way through a UTC hour.
    const zone = 'Australia/Lord_Howe';
    for (const iso of [
      '2026-10-03T15:29:59Z',
      '2026-10-03T15:30:00Z',
      '2026-10-03T15:00:00Z',
      '2026-10-03T15:59:59Z',
      '2026-04-04T14:59:59Z',
      '2026-04-04T15:00:00Z',
    ]) {
      const t = Date.parse(iso);
      const want = intlWallClock(t, zone);
      const local = localTimeOf(new Date(t), zone);
      expect({
        iso,
        date: localDateOf(new Date(t), zone),
        time: [local.hour, local.minute, local.second],
      }).toEqual({
        iso,
        ...want,
      });
    }
  });
});
