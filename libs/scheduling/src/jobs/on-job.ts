import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import { BULL_ATTEMPTS } from '../job-retry';
import type { JobDeclaration, JobName, JobPayloads } from './job-map';

/** The metadata key under which @OnJob stores its declaration on the handler method. */
export const JOB_HANDLER_METADATA = 'duban:job-handler';

export interface JobHandlerDeclaration extends JobDeclaration {
  name: JobName;
}

/**
 * Options of every job added by the sweep unless its declaration says otherwise: retries on
 * Duban's schedule (job-retry.ts, applied by the worker's `guarded` and its 'duban' backoff
 * strategy); failed jobs kept for inspection on the dashboard.
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: BULL_ATTEMPTS,
  backoff: { type: 'duban' },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

/**
 * Declares the method as the handler of job `name`, on `declaration.queue`. The worker collects
 * every such method at start-up (apps/worker/src/job-registry.ts) and refuses to start when a
 * job has no handler or two. The method receives the job's typed payload, then the job.
 */
export function OnJob<N extends JobName>(name: N, declaration: JobDeclaration) {
  return <H extends (data: JobPayloads[N], job: Job<JobPayloads[N]>) => Promise<unknown>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<H>,
  ): void => {
    const meta: JobHandlerDeclaration = { ...declaration, name };
    SetMetadata(JOB_HANDLER_METADATA, meta)(target, key, descriptor);
  };
}
