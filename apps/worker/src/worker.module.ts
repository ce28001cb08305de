import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '#duban/config';
import type { Clock } from '#duban/domain';
import { PlatformModule } from '#duban/platform';
import { SweepService } from '#duban/scheduling';
import { WorkerHost } from './worker-host';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config, { clock: options.clock })],
      providers: [SweepService, WorkerHost],
    };
  }
}
