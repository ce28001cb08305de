import 'reflect-metadata';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { JobRegistry } from '../../apps/worker/src/job-registry';
import { JOB, type JobName } from '#duban/scheduling';
import { EscalationJobs } from '../../libs/rectification/src/escalation/escalation.jobs';
import { LadderService } from '../../libs/rectification/src/escalation/ladder.service';
import { ENGINE_QUEUE } from '../../libs/rectification/src/escalation/task-timer.source';
import { QuarterlyJobs } from '../../libs/rectification/src/quarterly/quarterly.jobs';
import { QuarterlyService } from '../../libs/rectification/src/quarterly/quarterly.service';
import { ReinspectionJobs } from '../../libs/rectification/src/reinspection/reinspection.jobs';
import { ReinspectionService } from '../../libs/rectification/src/reinspection/reinspection.service';
import { testQueuePrefix } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';

/**
 * The engine queue under a backlog (the soak's finding): the quarterly rhythm and the
 * re-inspection jobs are a handful a quarter and must not wait behind thousands of timer
 * batches. The options declared beside each job, on a real queue, decide the order.
 */
describe('the engine queue under a backlog of timer batches', () => {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = testQueuePrefix();
  let registry: JobRegistry;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [
        EscalationJobs,
        QuarterlyJobs,
        ReinspectionJobs,
        { provide: LadderService, useValue: {} },
        { provide: QuarterlyService, useValue: {} },
        { provide: ReinspectionService, useValue: {} },
      ],
    }).compile();
    registry = JobRegistry.discover(
      moduleRef.get(DiscoveryService),
      moduleRef.get(MetadataScanner),
    );
    await moduleRef.close();
  });

  afterAll(async () => {
    const keys = await connection.keys(`${prefix}:*`);
    if (keys.length) await connection.del(...keys);
    await connection.quit();
  });

  it('runs the quarter start and the re-inspection draws before timer batches queued earlier', async () => {
    const queue = new Queue(ENGINE_QUEUE, { connection, prefix });
    const add = (name: JobName, jobId: string, data: object) => ({
      name,
      data,
      opts: { ...registry.optionsOf(name), jobId },
    });
    await queue.addBulk([
      ...Array.from({ length: 50 }, (_, i) => add(JOB.taskTimers, `timers-${i}`, { taskIds: [] })),
      add(JOB.quarterStart, 'start', { timeZone: 'Asia/Shanghai', quarter: '2027Q1' }),
      add(JOB.reinspectionDraws, 'draws', { timeZone: 'Asia/Shanghai', quarter: '2026Q4' }),
      add(JOB.quarterLate, 'late', { timeZone: 'Asia/Shanghai', quarter: '2026Q4' }),
    ]);
    const order: string[] = [];
    const worker = new Worker(
      ENGINE_QUEUE,
      async (job) => {
        order.push(job.name);
      },
      { connection, prefix, concurrency: 1 },
    );
    while (order.length < 53) await new Promise((r) => setTimeout(r, 20));
    await worker.close();
    await queue.close();
    expect(order.slice(0, 3).sort()).toEqual(
      [JOB.quarterLate, JOB.quarterStart, JOB.reinspectionDraws].sort(),
    );
    expect(order.slice(3)).toEqual(Array(50).fill(JOB.taskTimers));
  });
});
