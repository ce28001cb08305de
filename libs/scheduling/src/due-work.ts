import type { JobName, TypedJob } from './jobs/job-map';

/**
 * Everything time-driven is a row in PostgreSQL with an indexed "fires at". Each kind of such
 * row is a DueWorkSource: on every tick the sweep asks each source to claim what is due
 * (FOR UPDATE SKIP LOCKED, marking it claimed for a lease) and gets back jobs to enqueue.
 * Jobs carry deterministic ids; the processors apply effects under unique keys, so a job that
 * runs twice, or a claim re-made after Redis lost its queue, changes nothing twice.
 */
/**
 * A job to enqueue, typed by its name (JobPayloads): routed to its handler by the worker's
 * registry. Its id is deterministic: the same claimed work always gets the same id.
 */
export type DueJob<N extends JobName = JobName> = TypedJob<N>;

export interface DueWorkSource {
  /** A name for logs and metrics, e.g. 'task-timers'. */
  readonly name: string;
  /** The queue its jobs go to. */
  readonly queue: string;
  /** Claims up to `limit` due items as of `now` and returns the jobs that carry them. */
  claim(now: Date, limit: number): Promise<DueJob[]>;
}

export const DUE_WORK_SOURCES = Symbol('DueWorkSources');
