import { type DueJob, JOB } from '#duban/scheduling';
import {
  LadderService,
  QuarterlyService,
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
      if (job.name === JOB.taskTimers) {
        await this.t.app.get(LadderService).processTasks(job.data.taskIds);
      } else if (job.name === JOB.quarterStart) {
        await this.t.app.get(QuarterlyService).start(job.data.timeZone, job.data.quarter);
      } else if (job.name === JOB.reinspectionDraws) {
        await this.t.app.get(ReinspectionService).drawQuarter(job.data.timeZone, job.data.quarter);
      } else if (job.name === JOB.reinspectionOverdue) {
        await this.t.app.get(ReinspectionService).notifyOverdue(job.data.reinspectionIds);
      } else if (job.name === JOB.quarterLate) {
        await this.t.app.get(QuarterlyService).late(job.data.timeZone, job.data.quarter);
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
