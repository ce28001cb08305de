/**
 * When the engine's work is stuck, as /health reports it (pure; the api reads the figures).
 *
 * A due timer is claimed by the next sweep (within DUBAN_SWEEP_INTERVAL_MS) and, if its job is
 * lost or fails, claimed again once the lease (DUBAN_CLAIM_LEASE_MS) has run out, at the next
 * sweep after that. So a healthy engine applies every due timer within
 * lease + 2 × sweep interval of its time; one older than that is stuck.
 */
export function stuckAfterMs(config: {
  DUBAN_SWEEP_INTERVAL_MS: number;
  DUBAN_CLAIM_LEASE_MS: number;
}): number {
  return config.DUBAN_CLAIM_LEASE_MS + 2 * config.DUBAN_SWEEP_INTERVAL_MS;
}

/** A job that failed for good this recently makes /health degraded. */
export const FAILED_JOB_WINDOW_MS = 15 * 60_000;

export interface EngineFigures {
  /** Per source, the oldest due and not yet applied timer's age in seconds (null when none). */
  oldestDueSeconds: Record<string, number | null>;
  /** Per queue, jobs failed for good within FAILED_JOB_WINDOW_MS. */
  recentlyFailedJobs: Record<string, number>;
}

/** What is wrong, one sentence per finding naming the figure and its bound; [] when nothing. */
export function engineFindings(figures: EngineFigures, stuckAfter: number): string[] {
  const bound = Math.round(stuckAfter / 1000);
  const findings: string[] = [];
  for (const [source, age] of Object.entries(figures.oldestDueSeconds)) {
    if (age !== null && age * 1000 > stuckAfter) {
      findings.push(
        `oldest due ${source} timer waiting ${Math.round(age)} s (bound ${bound} s: lease + 2 sweep intervals)`,
      );
    }
  }
  for (const [queue, n] of Object.entries(figures.recentlyFailedJobs)) {
    if (n > 0) {
      findings.push(
        `${n} ${queue} job(s) failed for good in the last ${FAILED_JOB_WINDOW_MS / 60_000} min`,
      );
    }
  }
  return findings;
}
