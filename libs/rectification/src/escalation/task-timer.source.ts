import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { type DueJob, type DueWorkSource, JOB } from '#duban/scheduling';
import { TasksRepository } from '../tasks/tasks.repository';

export const ENGINE_QUEUE = 'engine';
/** Tasks per job: enough to amortise a job, small enough that a retry redoes little. */
export const TASKS_PER_JOB = 100;

/**
 * Claims tasks whose next reminder or step is due (next_fire_at <= now) and not already
 * claimed, marks them claimed for a lease, and hands them out in batches. If the job is lost
 * (Redis flushed, worker killed before it ran), the lease runs out and the next sweep claims
 * the task again; the ladder's unique effect keys make the second run change nothing twice.
 * The job id carries the claim's generation (its instant): a re-claim is a new job BullMQ
 * runs, whatever became of the earlier one (failed for good, stalled, removed), while the same
 * claim enqueued twice is still one job.
 */
@Injectable()
export class TaskTimerSource implements DueWorkSource {
  readonly name = 'task-timers';
  readonly queue = ENGINE_QUEUE;

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tasks: TasksRepository,
  ) {}

  async claim(now: Date, limit: number): Promise<DueJob<'task-timers'>[]> {
    const rows = await this.tasks.claimDueTimers(
      this.db.manager,
      now,
      limit,
      this.config.DUBAN_CLAIM_LEASE_MS,
    );
    rows.sort(
      (a, b) => a.nextFireAt.getTime() - b.nextFireAt.getTime() || a.id.localeCompare(b.id),
    );
    const jobs: DueJob<'task-timers'>[] = [];
    for (let i = 0; i < rows.length; i += TASKS_PER_JOB) {
      const batch = rows.slice(i, i + TASKS_PER_JOB);
      const digest = createHash('sha1')
        .update(batch.map((r) => `${r.id}@${r.nextFireAt.toISOString()}`).join(','))
        .digest('hex');
      jobs.push({
        name: JOB.taskTimers,
        jobId: `timers:${digest}:g${now.getTime()}`,
        data: { taskIds: batch.map((r) => r.id) },
      });
    }
    return jobs;
  }
}
