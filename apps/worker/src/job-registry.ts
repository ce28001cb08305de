import type { Job } from 'bullmq';

export type JobHandler = (job: Job) => Promise<unknown>;

/**
 * Which function handles each job, per queue. The worker refuses to start when a job name
 * is registered twice, and fails a job loudly (not silently) when its name has no handler.
 */
export class JobRegistry {
  private readonly handlers = new Map<string, Map<string, JobHandler>>();

  register(queue: string, jobName: string, handler: JobHandler): this {
    const byName = this.handlers.get(queue) ?? new Map<string, JobHandler>();
    if (byName.has(jobName)) throw new Error(`job ${queue}/${jobName} has two handlers`);
    byName.set(jobName, handler);
    this.handlers.set(queue, byName);
    return this;
  }

  queues(): string[] {
    return [...this.handlers.keys()];
  }

  processorFor(queue: string): JobHandler {
    const byName = this.handlers.get(queue);
    if (!byName) throw new Error(`queue ${queue} has no handlers`);
    return async (job) => {
      const handler = byName.get(job.name);
      if (!handler) throw new Error(`no handler for job ${queue}/${job.name}`);
      return handler(job);
    };
  }
}
