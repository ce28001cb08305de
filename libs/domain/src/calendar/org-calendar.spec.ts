import { mergeCalendarOverrides } from './org-calendar';
import { WorkingDayCalendar } from './working-day-calendar';

describe('mergeCalendarOverrides', () => {
  it('lets the nearest organisation win, over its ancestors and the national overrides', () => {
    const merged = mergeCalendarOverrides(
      [
        { date: '2027-01-04', kind: 'holiday', name: 'national' },
        { date: '2027-01-05', kind: 'holiday' },
      ],
      [
        [
          { date: '2027-01-04', kind: 'workday', name: 'county' },
          { date: '2027-01-06', kind: 'holiday', name: 'county' },
        ],
        [{ date: '2027-01-06', kind: 'workday', name: 'township' }],
      ],
    );
    expect(merged).toEqual([
      { date: '2027-01-04', kind: 'workday', name: 'county' },
      { date: '2027-01-05', kind: 'holiday' },
      { date: '2027-01-06', kind: 'workday', name: 'township' },
    ]);
  });

  it('moves working-day counts for the org that has a holiday of its own', () => {
    // Friday 2026-03-13 is a local holiday: one working day after Thursday is Monday.
    const national = new WorkingDayCalendar();
    const local = new WorkingDayCalendar({
      overrides: mergeCalendarOverrides([], [[{ date: '2026-03-13', kind: 'holiday' }]]),
    });
    expect(national.addWorkingDays('2026-03-12', 1).date).toBe('2026-03-13');
    expect(local.addWorkingDays('2026-03-12', 1).date).toBe('2026-03-16');
  });
});
