import type { JobsOptions } from 'bullmq';

/**
 * Every job of Duban: its name and the payload it carries. The one place a job name is spelled;
 * everything else uses `JOB.<name>`, so producers and handlers agree on the payload by type.
 */
export interface JobPayloads {
  /** The heartbeat (queue 'sweep'): claims due work from PostgreSQL and enqueues it. */
  sweep: Record<string, never>;
  /** Escalation timers of up to TASKS_PER_JOB tasks (queue 'engine'). */
  'task-timers': { taskIds: string[] };
  /** The quarterly report tasks of one time zone (queue 'engine'). */
  'quarter-start': { timeZone: string; quarter: string };
  /** The 逾期未报 reminders of one quarter and time zone (queue 'engine'). */
  'quarter-late': { timeZone: string; quarter: string };
  /** The 回头看 draws of the quarter just ended in one time zone (queue 'engine'). */
  'reinspection-draws': { timeZone: string; quarter: string };
  /** Overdue re-inspections to tell about (queue 'engine'). */
  'reinspection-overdue': { reinspectionIds: string[] };
  /** Sends one delivery (queue 'notifications'). */
  deliver: { deliveryId: string };
  /** Signs and posts an audit anchor (queue 'audit'). */
  anchor: Record<string, never>;
}

export type JobName = keyof JobPayloads;

/** The job names, as constants. Every name of JobPayloads is here (checked below). */
export const JOB = {
  sweep: 'sweep',
  taskTimers: 'task-timers',
  quarterStart: 'quarter-start',
  quarterLate: 'quarter-late',
  reinspectionDraws: 'reinspection-draws',
  reinspectionOverdue: 'reinspection-overdue',
  deliver: 'deliver',
  auditAnchor: 'anchor',
} as const satisfies Record<string, JobName>;

// Fails to compile when a name of JobPayloads has no constant in JOB.
type MissingConstants = Exclude<JobName, (typeof JOB)[keyof typeof JOB]>;
const everyJobHasAConstant: MissingConstants extends never ? true : MissingConstants = true;
void everyJobHasAConstant;

/** Every job name, for the registry's check that each has exactly one handler. */
export const JOB_NAMES: readonly JobName[] = Object.values(JOB);

/** A job to add, typed by its name. */
export type TypedJob<N extends JobName = JobName> = {
  [K in N]: { name: K; jobId: string; data: JobPayloads[K] };
}[N];

/** How a job is run: the queue it lives on and its BullMQ options, beside its handler. */
export interface JobDeclaration {
  queue: string;
  /** Merged over DEFAULT_JOB_OPTIONS when the job is added (attempts, backoff, retention). */
  options?: JobsOptions;
  /**
   * Attempts allowed for errors other than an outage before the worker gives the job up
   * (job-retry.ts `giveUp`; default ATTEMPTS_ON_ERROR).
   */
  attemptsOnError?: number;
}
