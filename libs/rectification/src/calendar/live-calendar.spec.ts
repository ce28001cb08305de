import { chinaCalendar, WorkingDayCalendar } from '#duban/domain';
import { liveCalendar } from './live-calendar';

describe('liveCalendar', () => {
  it('answers with whichever calendar is current at the moment of the call', () => {
    let current = chinaCalendar();
    const live = liveCalendar(() => current);
    expect(live.covers('2027-01-04')).toBe(false);
    expect(live.isWorkingDay('2027-01-04')).toBe(true);
    expect(live.knownRange?.to).toBe('2026-12-31');

    current = chinaCalendar([{ date: '2027-01-04', kind: 'holiday', name: '测试' }]);
    expect(live.covers('2027-01-04')).toBe(true);
    expect(live.isWorkingDay('2027-01-04')).toBe(false);
    expect(live.knownRange?.to).toBe('2027-12-31');
    expect(live.knownYears).toContain(2027);
    expect(live.addWorkingDays('2026-12-31', 2).date).toBe('2027-01-05');
  });

  it('is accepted wherever a WorkingDayCalendar is, and cannot be changed', () => {
    const live = liveCalendar(() => chinaCalendar());
    expect(live).toBeInstanceOf(WorkingDayCalendar);
    expect(() => {
      (live as unknown as { knownYears: number[] }).knownYears = [];
    }).toThrow(/read-only/);
  });
});
