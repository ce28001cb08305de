/**
 * Everything time-driven is a row in PostgreSQL with an indexed "fires at". Each kind of such
 * row is a DueWorkSource: on every tick the sweep asks each source to claim what is due
 * (FOR UPDATE SKIP LOCKED, marking it claimed for a lease) and gets back jobs to enqueue.
 * Jobs carry deterministic ids; the processors apply effects under unique keys, so a job that
 * runs twice, or a claim re-made after Redis lost its queue, changes nothing twice.
 */
export interface DueJob {
  /** Job name, routed to its handler by the worker's registry. */
  name: string;
  /** Deterministic: the same claimed work always gets the same id. */
  jobId: string;
  data: Record<string, unknown>;
}

export interface DueWorkSource {
  /** A name for logs and metrics, e.g. 'task-timers'. */
  readonly name: string;
  /** The queue its jobs go to. */
  readonly queue: string;
  /** Claims up to `limit` due items as of `now` and returns the jobs that carry them. */
  claim(now: Date, limit: number): Promise<DueJob[]>;
}

export const DUE_WORK_SOURCES = Symbol('DueWorkSources');
