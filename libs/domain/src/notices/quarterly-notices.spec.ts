import { quarterStartPlan } from './quarterly-notices';

describe('quarterStartPlan', () => {
  const lateAt = new Date('2026-10-15T16:00:00.000Z'); // 00:00 on 16 Oct in Shanghai

  it('asks for a report by the end of the grace period when that is still ahead', () => {
    const now = new Date('2026-10-01T00:05:00.000Z');
    expect(quarterStartPlan(now, lateAt)).toEqual({ send: true, reportBy: lateAt });
  });

  it('sends on a fresh install mid-quarter while the grace period runs', () => {
    const now = new Date('2026-10-15T15:59:59.999Z');
    const plan = quarterStartPlan(now, lateAt);
    expect(plan.send).toBe(true);
    if (plan.send) expect(plan.reportBy.getTime()).toBeGreaterThan(now.getTime());
  });

  it('sends nothing once the grace period is over, so no report-by date is ever past', () => {
    expect(quarterStartPlan(lateAt, lateAt)).toEqual({ send: false, reason: 'grace_period_over' });
    expect(quarterStartPlan(new Date('2026-10-20T02:00:00.000Z'), lateAt).send).toBe(false);
  });
});
