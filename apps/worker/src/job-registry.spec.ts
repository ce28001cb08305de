import 'reflect-metadata';
import { Injectable, type Type } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, JOB, type JobPayloads, OnJob } from '#duban/scheduling';
import { JobRegistry } from './job-registry';

const calls: unknown[] = [];

@Injectable()
class EngineJobs {
  @OnJob(JOB.taskTimers, { queue: 'engine' })
  async timers({ taskIds }: JobPayloads['task-timers']): Promise<number> {
    calls.push(['timers', taskIds]);
    return taskIds.length;
  }
  @OnJob(JOB.quarterStart, { queue: 'engine' })
  async start(): Promise<number> {
    return 0;
  }
  @OnJob(JOB.quarterLate, { queue: 'engine' })
  async late(): Promise<number> {
    return 0;
  }
  @OnJob(JOB.reinspectionDraws, { queue: 'engine' })
  async draws(): Promise<number> {
    return 0;
  }
  @OnJob(JOB.reinspectionOverdue, { queue: 'engine' })
  async overdue(): Promise<number> {
    return 0;
  }
  /** Not a job handler: ignored by the registry. */
  async helper(): Promise<number> {
    return 0;
  }
}

@Injectable()
class OtherJobs {
  @OnJob(JOB.sweep, { queue: 'sweep', options: { attempts: 1 } })
  async sweep(): Promise<null> {
    return null;
  }
  @OnJob(JOB.auditAnchor, { queue: 'audit' })
  async anchor(): Promise<null> {
    return null;
  }
}

@Injectable()
class DeliveryJobs {
  @OnJob(JOB.deliver, { queue: 'notifications', attemptsOnError: 1 })
  async deliver({ deliveryId }: JobPayloads['deliver']): Promise<string> {
    return deliveryId;
  }
}

@Injectable()
class SecondDeliveryJobs {
  @OnJob(JOB.deliver, { queue: 'notifications' })
  async send(): Promise<string> {
    return 'sent';
  }
}

/** The registry a worker made of these providers would build (as WorkerHost.onModuleInit). */
async function registryOf(providers: Type[], extra: object[] = []): Promise<JobRegistry> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [...providers, ...(extra as never[])],
  }).compile();
  try {
    return JobRegistry.discover(moduleRef.get(DiscoveryService), moduleRef.get(MetadataScanner));
  } finally {
    await moduleRef.close();
  }
}

describe('JobRegistry', () => {
  it('collects every @OnJob handler of the providers and runs each with its typed payload', async () => {
    const registry = (await registryOf([EngineJobs, OtherJobs, DeliveryJobs])).assertComplete();
    expect(registry.queues().sort()).toEqual(['audit', 'engine', 'notifications', 'sweep']);
    expect(registry.queueOf(JOB.deliver)).toBe('notifications');

    const job = { name: JOB.taskTimers, data: { taskIds: ['a', 'b'] } } as unknown as Job;
    calls.length = 0;
    expect(await registry.processorFor('engine')(job)).toBe(2);
    expect(calls).toEqual([['timers', ['a', 'b']]]);
    const deliver = { name: JOB.deliver, data: { deliveryId: 'd1' } } as unknown as Job;
    expect(await registry.processorFor('notifications')(deliver)).toBe('d1');
  });

  it('adds jobs with the default retry options under the ones declared beside the handler', async () => {
    const registry = await registryOf([EngineJobs, OtherJobs, DeliveryJobs]);
    expect(registry.optionsOf(JOB.taskTimers)).toEqual(DEFAULT_JOB_OPTIONS);
    expect(registry.optionsOf(JOB.sweep)).toEqual({ ...DEFAULT_JOB_OPTIONS, attempts: 1 });
    expect(registry.attemptsOnErrorOf(JOB.deliver)).toBe(1);
    expect(registry.attemptsOnErrorOf(JOB.taskTimers)).toBeUndefined();
  });

  it('refuses to start when a job of the map has no handler, naming the job', async () => {
    const registry = await registryOf([EngineJobs, OtherJobs]);
    expect(() => registry.assertComplete()).toThrow(/no handler for job 'deliver'/);
  });

  it('refuses to start when a job has two handlers, naming the job and both handlers', async () => {
    await expect(
      registryOf([EngineJobs, OtherJobs, DeliveryJobs, SecondDeliveryJobs]),
    ).rejects.toThrow(
      "job 'deliver' has two handlers: DeliveryJobs.deliver (queue notifications) and SecondDeliveryJobs.send (queue notifications)",
    );
  });

  it('counts a provider aliased under another token once', async () => {
    const registry = await registryOf(
      [EngineJobs, OtherJobs, DeliveryJobs],
      [{ provide: 'ALIAS', useExisting: DeliveryJobs }],
    );
    expect(() => registry.assertComplete()).not.toThrow();
  });

  it('fails a job whose name has no handler on its queue', async () => {
    const registry = await registryOf([EngineJobs, OtherJobs, DeliveryJobs]);
    const stray = { name: JOB.deliver, data: {} } as unknown as Job;
    await expect(registry.processorFor('engine')(stray)).rejects.toThrow(
      'no handler for job engine/deliver',
    );
  });
});
