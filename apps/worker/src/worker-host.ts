import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { hostname } from 'node:os';
import { APP_CONFIG, AppConfig } from '#duban/config';
import {
  bullConnection,
  queueOptions,
  QUEUES,
  SWEEP_SCHEDULER_ID,
  SweepService,
  sweepCronPattern,
} from '#duban/scheduling';
import { JobRegistry } from './job-registry';

export const WORKER_ID = `${hostname()}:${process.pid}`;

/**
 * Runs the BullMQ workers of this process and registers the sweep's job scheduler.
 * Upserting a scheduler by a fixed id is idempotent, so any number of workers starting at
 * once leave exactly one.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  private readonly connection;
  private readonly sweepQueue: Queue;
  private readonly workers: Worker[] = [];
  private readonly registry = new JobRegistry();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    sweep: SweepService,
  ) {
    this.connection = bullConnection(config.REDIS_URL, 'worker');
    this.sweepQueue = new Queue(QUEUES.sweep, queueOptions(config, this.connection));
    this.registry.register(QUEUES.sweep, 'sweep', () => sweep.tick(WORKER_ID));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweepQueue.upsertJobScheduler(
      SWEEP_SCHEDULER_ID,
      { pattern: sweepCronPattern(this.config.DUBAN_SWEEP_INTERVAL_MS) },
      {
        name: 'sweep',
        data: {},
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
      },
    );
    for (const queue of this.registry.queues()) {
      const worker = new Worker(queue, this.registry.processorFor(queue), {
        ...queueOptions(this.config, this.connection.duplicate()),
        concurrency: 1,
      });
      worker.on('failed', (job, err) =>
        this.logger.error(`job ${queue}/${job?.name} ${job?.id} failed: ${err.message}`),
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
    await this.sweepQueue.close();
    this.connection.disconnect();
  }
}
