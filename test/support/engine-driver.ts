import type { DueJob } from '#duban/scheduling';
import {
  LadderService,
  QuarterlyService,
  REINSPECTION_DRAWS_JOB,
  REINSPECTION_OVERDUE_JOB,
  ReinspectionDueSource,
  ReinspectionService,
  TaskTimerSource,
} from '#duban/rectification';
import type { TestApp } from './test-app';

/**
 * Runs the engine in process, the way the worker would, one sweep at a time on the test's
 * clock: claim what is due, then process the jobs. Exposes the jobs so tests can run one twice.
 */
export class EngineDriver {
  constructor(private readonly t: TestApp) {}

  async claim(): Promise<DueJob[]> {
    const now = this.t.clock.now();
    const timers = await this.t.app.get(TaskTimerSource).claim(now, 1000);
    const quarterly = await this.t.app.get(QuarterlyService).claim(now);
    const draws = await this.t.app.get(ReinspectionDueSource).claim(now);
    return [...timers, ...quarterly, ...draws];
  }

  async run(jobs: DueJob[]): Promise<void> {
    for (const job of jobs) {
      if (job.name === 'task-timers') {
        await this.t.app.get(LadderService).processTasks(job.data.taskIds as string[]);
      } else if (job.name === 'quarter-start') {
        await this.t.app
          .get(QuarterlyService)
          .start(job.data.timeZone as string, job.data.quarter as string);
      } else if (job.name === REINSPECTION_DRAWS_JOB) {
        await this.t.app
          .get(ReinspectionService)
          .drawQuarter(job.data.timeZone as string, job.data.quarter as string);
      } else if (job.name === REINSPECTION_OVERDUE_JOB) {
        await this.t.app
          .get(ReinspectionService)
          .notifyOverdue(job.data.reinspectionIds as string[]);
      } else if (job.name === 'quarter-late') {
        await this.t.app
          .get(QuarterlyService)
          .late(job.data.timeZone as string, job.data.quarter as string);
      }
    }
  }

  /** One sweep and its jobs. */
  async sweep(): Promise<DueJob[]> {
    const jobs = await this.claim();
    await this.run(jobs);
    return jobs;
  }
}
