import { chinaCalendar } from '../calendar/working-day-calendar';
import { talkDueBy, talkState } from './talks';

describe('约谈 due after the 通报 step', () => {
  const cal = chinaCalendar();
  it('is due 10 working days after the step, skipping weekends', () => {
    // Monday 2026-03-02 10:00 Shanghai → two working weeks later, Monday 2026-03-16 10:00.
    const at = new Date('2026-03-02T02:00:00Z');
    expect(talkDueBy(at, cal, 'Asia/Shanghai').toISOString()).toBe('2026-03-16T02:00:00.000Z');
  });

  it('is overdue once the day has passed without a talk, held once one is recorded', () => {
    const due = new Date('2026-03-16T02:00:00Z');
    expect(talkState(null, false, due)).toBe('none');
    expect(talkState(due, false, new Date('2026-03-16T01:59:59Z'))).toBe('due');
    expect(talkState(due, false, new Date('2026-03-16T02:00:01Z'))).toBe('overdue');
    expect(talkState(due, true, new Date('2026-04-01T00:00:00Z'))).toBe('held');
  });
});
