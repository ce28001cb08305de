import { engineFindings, stuckAfterMs } from './stuck-work';

describe('stuck work', () => {
  const config = { DUBAN_SWEEP_INTERVAL_MS: 60_000, DUBAN_CLAIM_LEASE_MS: 120_000 };

  it('allows a timer the lease and two sweep intervals', () => {
    expect(stuckAfterMs(config)).toBe(240_000);
    expect(stuckAfterMs({ DUBAN_SWEEP_INTERVAL_MS: 1000, DUBAN_CLAIM_LEASE_MS: 3000 })).toBe(5000);
  });

  it('finds nothing when timers are within the bound and no job failed', () => {
    expect(
      engineFindings(
        { oldestDueSeconds: { task: 240, delivery: null }, recentlyFailedJobs: { engine: 0 } },
        240_000,
      ),
    ).toEqual([]);
  });

  it('names the figure of a stuck timer and of failed jobs', () => {
    expect(
      engineFindings(
        {
          oldestDueSeconds: { task: 241.4, delivery: 3 },
          recentlyFailedJobs: { engine: 2, notifications: 0 },
        },
        240_000,
      ),
    ).toEqual([
      'oldest due task timer waiting 241 s (bound 240 s: lease + 2 sweep intervals)',
      '2 engine job(s) failed for good in the last 15 min',
    ]);
  });
});
