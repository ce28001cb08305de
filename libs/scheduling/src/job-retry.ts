/**
 * When a failed job is tried again, and when it is given up. Two kinds of failure:
 * - the database or Redis is unavailable: nothing is wrong with the job, so it is retried
 *   (backoff capped at OUTAGE_MAX_DELAY_MS) for as long as `outageRetryWindowMs` since the job
 *   was created — at least the claim lease, so an outage shorter than that loses nothing even
 *   before the next claim's job comes;
 * - anything else: ATTEMPTS_ON_ERROR attempts with exponential backoff, then failed for good
 *   (kept in the failed set, counted by duban_jobs_failed, and the work re-claimed after its lease).
 * Pure functions; the worker applies them (worker-host.ts).
 */
export const ATTEMPTS_ON_ERROR = 5;
export const ERROR_BASE_DELAY_MS = 1000;
export const OUTAGE_BASE_DELAY_MS = 500;
export const OUTAGE_MAX_DELAY_MS = 10_000;
/** BullMQ's own cap on attempts: high enough never to be the one that decides. */
export const BULL_ATTEMPTS = 100_000;

/** How long jobs keep being retried through an outage: twice the lease, at least 5 minutes. */
export function outageRetryWindowMs(claimLeaseMs: number): number {
  return Math.max(2 * claimLeaseMs, 5 * 60_000);
}

/** The delay before the next attempt, `attemptsMade` attempts having failed (≥ 1). */
export function retryDelayMs(attemptsMade: number, outage: boolean): number {
  const n = Math.max(1, attemptsMade);
  if (outage) return Math.min(OUTAGE_BASE_DELAY_MS * 2 ** (n - 1), OUTAGE_MAX_DELAY_MS);
  return ERROR_BASE_DELAY_MS * 2 ** (n - 1);
}

export interface FailedAttempt {
  /** Attempts that failed so far, this one included. */
  attemptsMade: number;
  /** The failure says PostgreSQL or Redis is unavailable. */
  outage: boolean;
  /** Since the job was created, in ms. */
  ageMs: number;
  claimLeaseMs: number;
  /** Attempts allowed for other errors (default ATTEMPTS_ON_ERROR). */
  attemptsOnError?: number;
}

/** True when the job must not be tried again. */
export function giveUp(f: FailedAttempt): boolean {
  if (f.outage) return f.ageMs >= outageRetryWindowMs(f.claimLeaseMs);
  return f.attemptsMade >= (f.attemptsOnError ?? ATTEMPTS_ON_ERROR);
}
