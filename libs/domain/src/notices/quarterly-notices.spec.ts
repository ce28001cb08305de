import { quarterByLabel } from '../calendar/time-zone';
import { quarterRunsDue, quarterStartPlan, reportLateAt } from './quarterly-notices';

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

describe('reportLateAt', () => {
  it('is 00:00 local on the 16th day of the quarter, in the zone asked', () => {
    expect(reportLateAt(quarterByLabel('2026Q4', 'Asia/Shanghai')!, 'Asia/Shanghai')).toEqual(
      new Date('2026-10-15T16:00:00.000Z'),
    );
    expect(reportLateAt(quarterByLabel('2026Q4', 'Asia/Urumqi')!, 'Asia/Urumqi')).toEqual(
      new Date('2026-10-15T18:00:00.000Z'),
    );
  });
});

describe('quarterRunsDue', () => {
  const zones = ['Asia/Shanghai', 'Asia/Urumqi'];
  const none = () => false;

  it('each zone starts its own quarter: on New Year in Shanghai, Urumqi is still in Q4', () => {
    const now = new Date('2026-12-31T17:00:00.000Z'); // 01:00 on 1 Jan in Shanghai, 23:00 in Urumqi
    expect(
      quarterRunsDue(now, zones, none).map((r) => [r.timeZone, r.quarter.label, r.kind]),
    ).toEqual([
      ['Asia/Shanghai', '2027Q1', 'start'],
      ['Asia/Urumqi', '2026Q4', 'start'],
      ['Asia/Urumqi', '2026Q4', 'late'],
    ]);
  });

  it('goes late only once the grace period is over, and never twice', () => {
    const before = new Date('2026-10-15T15:59:59.999Z');
    const at = new Date('2026-10-15T16:00:00.000Z');
    const sh = ['Asia/Shanghai'];
    const started = (_z: string, _q: string, kind: string) => kind === 'start';
    expect(quarterRunsDue(before, sh, started)).toEqual([]);
    expect(quarterRunsDue(at, sh, started).map((r) => r.kind)).toEqual(['late']);
    expect(quarterRunsDue(at, sh, () => true)).toEqual([]);
  });
});
