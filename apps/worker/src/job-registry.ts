import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Job, JobsOptions } from 'bullmq';
import {
  DEFAULT_JOB_OPTIONS,
  JOB_HANDLER_METADATA,
  JOB_NAMES,
  type JobHandlerDeclaration,
  type JobName,
} from '#duban/scheduling';

export type JobHandler = (job: Job) => Promise<unknown>;

interface Registered {
  queue: string;
  handler: JobHandler;
  options: JobsOptions;
  attemptsOnError?: number;
  /** Where the handler was declared, for error messages: `Class.method`. */
  source: string;
}

/**
 * Which function handles each job, per queue, collected from the @OnJob methods of the
 * application's providers (`JobRegistry.discover`). The worker refuses to start when a job has
 * two handlers or none (`assertComplete`), and fails a job loudly (not silently) when its name
 * has no handler on its queue.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, Registered>();

  /** Collects every @OnJob method of the providers `discovery` sees. */
  static discover(discovery: DiscoveryService, scanner: MetadataScanner): JobRegistry {
    const registry = new JobRegistry();
    const seen = new Set<object>();
    for (const wrapper of discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      // An alias (useExisting) is the same instance under another token: counted once.
      if (wrapper.isAlias || !instance || typeof instance !== 'object' || seen.has(instance))
        continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of scanner.getAllMethodNames(prototype)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const meta = Reflect.getMetadata(JOB_HANDLER_METADATA, fn) as
          JobHandlerDeclaration | undefined;
        if (!meta) continue;
        registry.register(
          meta.queue,
          meta.name,
          (job) =>
            (fn as (data: unknown, job: Job) => Promise<unknown>).call(instance, job.data, job),
          {
            options: meta.options,
            attemptsOnError: meta.attemptsOnError,
            source: `${instance.constructor.name}.${method}`,
          },
        );
      }
    }
    return registry;
  }

  register(
    queue: string,
    jobName: JobName,
    handler: JobHandler,
    declared: { options?: JobsOptions; attemptsOnError?: number; source?: string } = {},
  ): this {
    const source = declared.source ?? 'register()';
    const existing = this.jobs.get(jobName);
    if (existing) {
      throw new Error(
        `job '${jobName}' has two handlers: ${existing.source} (queue ${existing.queue}) and ${source} (queue ${queue})`,
      );
    }
    this.jobs.set(jobName, {
      queue,
      handler,
      options: { ...DEFAULT_JOB_OPTIONS, ...declared.options },
      attemptsOnError: declared.attemptsOnError,
      source,
    });
    return this;
  }

  /** Throws, naming them, when a job of the map (JobPayloads) has no handler. */
  assertComplete(expected: readonly JobName[] = JOB_NAMES): this {
    const missing = expected.filter((name) => !this.jobs.has(name));
    if (missing.length > 0) {
      throw new Error(
        `no handler for job ${missing.map((n) => `'${n}'`).join(', ')}: declare one with @OnJob in a provider of the worker's modules`,
      );
    }
    return this;
  }

  queues(): string[] {
    return [...new Set([...this.jobs.values()].map((j) => j.queue))];
  }

  /** The queue a job is declared on. */
  queueOf(jobName: string): string {
    const job = this.jobs.get(jobName);
    if (!job) throw new Error(`no handler for job '${jobName}'`);
    return job.queue;
  }

  /** The options a job is added with: DEFAULT_JOB_OPTIONS under its declaration's own. */
  optionsOf(jobName: string): JobsOptions {
    const job = this.jobs.get(jobName);
    if (!job) throw new Error(`no handler for job '${jobName}'`);
    return job.options;
  }

  /** Attempts allowed for non-outage errors, as declared beside the job (undefined: the default). */
  attemptsOnErrorOf(jobName: string): number | undefined {
    return this.jobs.get(jobName)?.attemptsOnError;
  }

  processorFor(queue: string): JobHandler {
    const byName = new Map(
      [...this.jobs].filter(([, j]) => j.queue === queue).map(([name, j]) => [name, j.handler]),
    );
    if (byName.size === 0) throw new Error(`queue ${queue} has no handlers`);
    return async (job) => {
      const handler = byName.get(job.name);
      if (!handler) throw new Error(`no handler for job ${queue}/${job.name}`);
      return handler(job);
    };
  }
}
