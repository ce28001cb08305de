import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AuditAnchorService } from '#duban/audit';
import { APP_CONFIG } from '#duban/config';
import { JOB, OnJob, SweepService } from '#duban/scheduling';
import { WorkerHost } from './worker-host';

/** Every engine and audit job, but no 'deliver' handler (as if DeliveryJobs were not provided). */
@Injectable()
class AllButDelivery {
  @OnJob(JOB.taskTimers, { queue: 'engine' })
  async a(): Promise<null> {
    return null;
  }
  @OnJob(JOB.quarterStart, { queue: 'engine' })
  async b(): Promise<null> {
    return null;
  }
  @OnJob(JOB.quarterLate, { queue: 'engine' })
  async c(): Promise<null> {
    return null;
  }
  @OnJob(JOB.reinspectionDraws, { queue: 'engine' })
  async d(): Promise<null> {
    return null;
  }
  @OnJob(JOB.reinspectionOverdue, { queue: 'engine' })
  async e(): Promise<null> {
    return null;
  }
  @OnJob(JOB.auditAnchor, { queue: 'audit' })
  async f(): Promise<null> {
    return null;
  }
}

describe('WorkerHost', () => {
  it('refuses to start when a job has no handler, before consuming any queue', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [
        WorkerHost,
        AllButDelivery,
        {
          provide: APP_CONFIG,
          // Redis on loopback (the connection is opened, never used: start-up stops first).
          useValue: { REDIS_URL: 'redis://127.0.0.1:6379', DUBAN_QUEUE_PREFIX: 'worker-host-spec' },
        },
        { provide: SweepService, useValue: {} },
        { provide: AuditAnchorService, useValue: {} },
      ],
    }).compile();
    try {
      await expect(moduleRef.init()).rejects.toThrow(/no handler for job 'deliver'/);
    } finally {
      await moduleRef.get(WorkerHost).onApplicationShutdown();
    }
  });
});
