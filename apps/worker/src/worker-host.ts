import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { hostname } from 'node:os';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { DeliveryProcessor, NOTIFICATIONS_QUEUE } from '#duban/notifications';
import {
  ENGINE_QUEUE,
  LadderService,
  QUARTER_LATE_JOB,
  QUARTER_START_JOB,
  QuarterlyService,
  REINSPECTION_DRAWS_JOB,
  REINSPECTION_OVERDUE_JOB,
  ReinspectionService,
  TASK_TIMERS_JOB,
} from '#duban/rectification';
import {
  bullConnection,
  type DueJob,
  queueOptions,
  QUEUES,
  SWEEP_SCHEDULER_ID,
  SweepService,
  sweepCronPattern,
} from '#duban/scheduling';
import { JobRegistry } from './job-registry';

export const WORKER_ID = `${hostname()}:${process.pid}`;

/** Retries with exponential backoff; failed jobs are kept for inspection on the dashboard. */
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

/**
 * Runs the BullMQ workers of this process and registers the sweep's job scheduler.
 * Upserting a scheduler by a fixed id is idempotent, so any number of workers starting at
 * once leave exactly one.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  private readonly connection;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly registry = new JobRegistry();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    sweep: SweepService,
    ladder: LadderService,
    quarterly: QuarterlyService,
    deliveries: DeliveryProcessor,
    reinspections: ReinspectionService,
  ) {
    this.connection = bullConnection(config.REDIS_URL, 'worker');
    for (const name of [QUEUES.sweep, ENGINE_QUEUE, NOTIFICATIONS_QUEUE]) {
      const queue = new Queue(name, queueOptions(config, this.connection));
      queue.on('error', (err) => this.logger.warn(`queue ${name}: ${err.message}`));
      this.queues.set(name, queue);
    }
    this.registry
      .register(QUEUES.sweep, 'sweep', () =>
        sweep.tick(WORKER_ID, (queue, jobs) => this.enqueue(queue, jobs)),
      )
      .register(ENGINE_QUEUE, TASK_TIMERS_JOB, (job: Job) =>
        ladder.processTasks(job.data.taskIds as string[]),
      )
      .register(ENGINE_QUEUE, QUARTER_START_JOB, (job: Job) =>
        quarterly.start(job.data.timeZone, job.data.quarter),
      )
      .register(ENGINE_QUEUE, QUARTER_LATE_JOB, (job: Job) =>
        quarterly.late(job.data.timeZone, job.data.quarter),
      )
      .register(ENGINE_QUEUE, REINSPECTION_DRAWS_JOB, (job: Job) =>
        reinspections.drawQuarter(job.data.timeZone, job.data.quarter),
      )
      .register(ENGINE_QUEUE, REINSPECTION_OVERDUE_JOB, (job: Job) =>
        reinspections.notifyOverdue(job.data.reinspectionIds as string[]),
      )
      .register(NOTIFICATIONS_QUEUE, 'deliver', (job: Job) =>
        deliveries.deliver(job.data.deliveryId as string),
      );
  }

  /** Deterministic job ids: a job already waiting is not added twice. */
  private async enqueue(queueName: string, jobs: DueJob[]): Promise<void> {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no queue ${queueName}`);
    // BullMQ refuses ':' in custom ids (it separates its Redis keys).
    await queue.addBulk(
      jobs.map((j) => ({
        name: j.name,
        data: j.data,
        opts: {
          ...JOB_OPTIONS,
          // Deliveries retry on PostgreSQL's schedule (backoff, dead letter), not BullMQ's.
          ...(queueName === NOTIFICATIONS_QUEUE ? { attempts: 1 } : {}),
          jobId: j.jobId.replaceAll(':', '.'),
        },
      })),
    );
  }

  private watchdog?: NodeJS.Timeout;

  /**
   * Registers the sweep's scheduler. Idempotent (a fixed id), so it is also re-run every few
   * ticks: if Redis lost everything, the scheduler comes back and the sweep rebuilds what is due
   * from PostgreSQL.
   */
  private async ensureScheduler(): Promise<void> {
    await this.queues.get(QUEUES.sweep)!.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { pattern: sweepCronPattern(this.config.DUBAN_SWEEP_INTERVAL_MS) },
      {
        name: 'sweep',
        data: {},
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
      },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduler();
    this.watchdog = setInterval(
      () =>
        this.ensureScheduler().catch((e: Error) =>
          this.logger.warn(`scheduler watchdog: ${e.message}`),
        ),
      Math.max(5 * this.config.DUBAN_SWEEP_INTERVAL_MS, 5000),
    );
    this.watchdog.unref();
    for (const queue of this.registry.queues()) {
      const worker = new Worker(queue, this.registry.processorFor(queue), {
        ...queueOptions(this.config, this.connection.duplicate()),
        concurrency: queue === QUEUES.sweep ? 1 : this.config.DUBAN_WORKER_CONCURRENCY,
      });
      worker.on('failed', (job, err) =>
        this.logger.error(
          `job ${queue}/${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`,
        ),
      );
      worker.on('error', (err) => this.logger.error(`worker ${queue}: ${err.message}`));
      this.workers.push(worker);
    }
    this.logger.log(`worker ${WORKER_ID} consuming ${this.registry.queues().join(', ')}`);
  }

  /**
   * Stops taking jobs and waits for the active ones up to DUBAN_SHUTDOWN_TIMEOUT_MS; jobs still
   * running then are abandoned to BullMQ's stalled-job recovery, which hands them to another
   * worker (their effects are idempotent, so a second run changes nothing twice).
   */
  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(signal ? `shutting down (${signal})` : 'shutting down');
    clearInterval(this.watchdog);
    await Promise.all(
      this.workers.map(async (w) => {
        const closed = w.close().then(() => true);
        const timedOut = new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), this.config.DUBAN_SHUTDOWN_TIMEOUT_MS);
          t.unref();
        });
        if (!(await Promise.race([closed, timedOut]))) {
          this.logger.warn(`worker ${w.name}: active jobs did not finish in time; releasing them`);
          await w.close(true);
        }
      }),
    );
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
