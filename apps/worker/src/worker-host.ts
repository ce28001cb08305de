import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { hostname } from 'node:os';
import { AUDIT_ANCHOR_SCHEDULER_ID, AUDIT_QUEUE, AuditAnchorService } from '#duban/audit';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { isConnectionError, RedisStateLogger, watchRedis } from '#duban/platform';
import { redisPortOf, unavailableDependency } from '#duban/platform';
import {
  bullConnection,
  type DueJob,
  giveUp,
  JOB,
  OnJob,
  queueOptions,
  QUEUES,
  retryDelayMs,
  SWEEP_SCHEDULER_ID,
  type SweepResult,
  SweepService,
  sweepCronPattern,
} from '#duban/scheduling';
import { JobHandler, JobRegistry } from './job-registry';

export const WORKER_ID = `${hostname()}:${process.pid}`;

/**
 * A job's lock lasts JOB_LOCK_MS and its worker renews it every half of that while the job
 * runs (BullMQ's timer; every job here awaits I/O often, so the renewal is never starved), and
 * every worker checks for stalled jobs every JOB_LOCK_MS: the job of a worker killed with
 * SIGKILL is back in the queue within 2 × JOB_LOCK_MS (BullMQ's default is 30 s). A job
 * whose renewal was missed (Redis away for longer) may run twice at once; effects are unique
 * in PostgreSQL and batches lock their rows, so that changes nothing twice.
 */
export const JOB_LOCK_MS = 5000;

/**
 * Runs the BullMQ workers of this process and registers the sweep's job scheduler.
 * Upserting a scheduler by a fixed id is idempotent, so any number of workers starting at
 * once leave exactly one.
 */
@Injectable()
export class WorkerHost implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  /** One line when Redis goes away and one when it is back, for every connection of this host. */
  private readonly redisState = new RedisStateLogger('BullMQ worker');
  private readonly connection;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private registry = new JobRegistry();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sweep: SweepService,
    private readonly anchors: AuditAnchorService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {
    this.connection = bullConnection(config.REDIS_URL, 'worker', this.redisState);
  }

  /**
   * Collects the @OnJob handlers of every provider (each feature declares its own) and refuses
   * to start when a job of JobPayloads has none, or two. Then opens a queue for each queue they
   * name.
   */
  onModuleInit(): void {
    this.registry = JobRegistry.discover(this.discovery, this.scanner).assertComplete();
    for (const name of this.registry.queues()) {
      const queue = new Queue(name, queueOptions(this.config, this.connection));
      // Connection errors, re-emitted by BullMQ: logged once per outage, not once per retry.
      queue.on('error', (err) => this.redisState.error(err));
      this.queues.set(name, queue);
    }
  }

  /** The heartbeat: claims what is due in PostgreSQL and enqueues it. Redone by the next tick. */
  @OnJob(JOB.sweep, {
    queue: QUEUES.sweep,
    options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } },
  })
  tick(): Promise<SweepResult> {
    return this.sweep.tick(WORKER_ID, (queue, jobs) => this.enqueue(queue, jobs));
  }

  /**
   * Applies the retry policy: gives a job up (UnrecoverableError: straight to the failed set)
   * when job-retry.ts says so, else lets BullMQ retry it after the 'duban' backoff.
   */
  private guarded(queue: string, handler: JobHandler): JobHandler {
    const redisPorts = [redisPortOf(this.config.REDIS_URL)];
    return async (job) => {
      try {
        return await handler(job);
      } catch (e) {
        const outage = unavailableDependency(e, { redisPorts }) !== null;
        const failed = {
          attemptsMade: job.attemptsMade + 1,
          outage,
          // BullMQ stamps jobs with the wall clock; their age is measured on the same clock.
          ageMs: Date.now() - job.timestamp,
          claimLeaseMs: this.config.DUBAN_CLAIM_LEASE_MS,
          // As declared beside the job (deliveries: 1, they retry on PostgreSQL's schedule).
          attemptsOnError: this.registry.attemptsOnErrorOf(job.name),
        };
        if (queue !== QUEUES.sweep && giveUp(failed)) {
          throw new UnrecoverableError((e as Error).message ?? String(e));
        }
        throw e;
      }
    };
  }

  /**
   * Job ids are deterministic per claim (a job already waiting is not added twice) and carry
   * the claim's generation, so a re-claim is always a job BullMQ runs.
   */
  private async enqueue(queueName: string, jobs: DueJob[]): Promise<void> {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`no queue ${queueName}`);
    for (const j of jobs) {
      const declared = this.registry.queueOf(j.name);
      if (declared !== queueName) {
        throw new Error(`job '${j.name}' is declared on queue ${declared}, not ${queueName}`);
      }
    }
    // BullMQ refuses ':' in custom ids (it separates its Redis keys).
    await queue.addBulk(
      jobs.map((j) => ({
        name: j.name,
        data: j.data,
        opts: {
          ...this.registry.optionsOf(j.name),
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
    // The audit anchor, only from workers that hold the signing key. A fixed id: any number of
    // workers leave one scheduler; an anchor made twice would be harmless (two true anchors).
    if (await this.anchors.signingKey()) {
      await this.queues
        .get(AUDIT_QUEUE)!
        .upsertJobScheduler(
          AUDIT_ANCHOR_SCHEDULER_ID,
          { every: this.config.DUBAN_AUDIT_ANCHOR_INTERVAL_MS },
          { name: JOB.auditAnchor, data: {}, opts: this.registry.optionsOf(JOB.auditAnchor) },
        );
    }
    await this.queues
      .get(QUEUES.sweep)!
      .upsertJobScheduler(
        SWEEP_SCHEDULER_ID,
        { pattern: sweepCronPattern(this.config.DUBAN_SWEEP_INTERVAL_MS) },
        { name: JOB.sweep, data: {}, opts: this.registry.optionsOf(JOB.sweep) },
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
    const redisPorts = [redisPortOf(this.config.REDIS_URL)];
    for (const queue of this.registry.queues()) {
      const worker = new Worker(queue, this.guarded(queue, this.registry.processorFor(queue)), {
        ...queueOptions(
          this.config,
          watchRedis(this.connection.duplicate(), `BullMQ worker ${queue}`, this.redisState),
        ),
        concurrency:
          queue === QUEUES.sweep || queue === AUDIT_QUEUE
            ? 1
            : this.config.DUBAN_WORKER_CONCURRENCY,
        lockDuration: JOB_LOCK_MS,
        stalledInterval: JOB_LOCK_MS,
        maxStalledCount: 3,
        settings: {
          backoffStrategy: (attemptsMade, _type, err) =>
            retryDelayMs(attemptsMade, unavailableDependency(err, { redisPorts }) !== null),
        },
      });
      worker.on('failed', (job, err) => {
        const text = `job ${queue}/${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`;
        // An outage fails every running job every few seconds: one line when it starts is
        // enough (the api and /health report the outage); giving up is always an error.
        // A sweep tick that meets an outage is redone by the next tick.
        const outage = unavailableDependency(err, { redisPorts }) !== null;
        if (err instanceof UnrecoverableError) this.logger.error(text);
        else if (queue === QUEUES.sweep) this.logger[outage ? 'warn' : 'error'](text);
        else if (!outage) this.logger.warn(text);
        else if ((job?.attemptsMade ?? 0) <= 1)
          this.logger.warn(`${text}; retrying through the outage`);
      });
      worker.on('error', (err) => {
        if (isConnectionError(err)) this.redisState.error(err);
        else this.logger.error(`worker ${queue}: ${err.message}`);
      });
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
