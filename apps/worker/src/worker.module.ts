import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '#duban/audit';
import type { AppConfig } from '#duban/config';
import type { Clock } from '#duban/domain';
import { DeliveryDueSource } from '#duban/notifications';
import { PlatformModule } from '#duban/platform';
import {
  QuarterlyService,
  RectificationModule,
  ReinspectionDueSource,
  TaskTimerSource,
} from '#duban/rectification';
import { DUE_WORK_SOURCES, SweepService, SweepStateRepository } from '#duban/scheduling';
import { WorkerHost } from './worker-host';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config, { clock: options.clock }),
        RectificationModule,
        AuditModule,
        // Finds the @OnJob handlers of every provider (WorkerHost's JobRegistry).
        DiscoveryModule,
      ],
      providers: [
        {
          // Everything the sweep turns into jobs, in the order it asks.
          provide: DUE_WORK_SOURCES,
          inject: [TaskTimerSource, QuarterlyService, DeliveryDueSource, ReinspectionDueSource],
          useFactory: (
            timers: TaskTimerSource,
            quarterly: QuarterlyService,
            deliveries: DeliveryDueSource,
            reinspections: ReinspectionDueSource,
          ) => [timers, quarterly, deliveries, reinspections],
        },
        SweepStateRepository,
        SweepService,
        WorkerHost,
      ],
    };
  }
}
