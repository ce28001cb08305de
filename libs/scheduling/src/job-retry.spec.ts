import {
  ATTEMPTS_ON_ERROR,
  giveUp,
  OUTAGE_MAX_DELAY_MS,
  outageRetryWindowMs,
  retryDelayMs,
} from './job-retry';

describe('job retries', () => {
  const LEASE = 120_000;

  it('keeps retrying through an outage for at least the lease (and 5 minutes)', () => {
    expect(outageRetryWindowMs(LEASE)).toBe(300_000);
    expect(outageRetryWindowMs(600_000)).toBe(1_200_000);
    // The outage: 20 s of ECONNREFUSED used to exhaust 5 attempts in ~15 s.
    for (let attempts = 1; attempts <= 40; attempts++) {
      expect(
        giveUp({ attemptsMade: attempts, outage: true, ageMs: 20_000, claimLeaseMs: LEASE }),
      ).toBe(false);
    }
    expect(giveUp({ attemptsMade: 3, outage: true, ageMs: LEASE, claimLeaseMs: LEASE })).toBe(
      false,
    );
    expect(giveUp({ attemptsMade: 30, outage: true, ageMs: 300_000, claimLeaseMs: LEASE })).toBe(
      true,
    );
  });

  it('gives up other errors after a few attempts', () => {
    const f = { outage: false, ageMs: 1000, claimLeaseMs: LEASE };
    expect(giveUp({ ...f, attemptsMade: ATTEMPTS_ON_ERROR - 1 })).toBe(false);
    expect(giveUp({ ...f, attemptsMade: ATTEMPTS_ON_ERROR })).toBe(true);
    // Deliveries retry on PostgreSQL's schedule: one attempt per job, unless the database is away.
    expect(giveUp({ ...f, attemptsMade: 1, attemptsOnError: 1 })).toBe(true);
    expect(giveUp({ ...f, attemptsMade: 1, attemptsOnError: 1, outage: true })).toBe(false);
  });

  it('backs off exponentially, capped during an outage', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, false))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, true))).toEqual([
      500,
      1000,
      2000,
      4000,
      8000,
      OUTAGE_MAX_DELAY_MS,
    ]);
    expect(retryDelayMs(60, true)).toBe(OUTAGE_MAX_DELAY_MS);
  });
});
