import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';
import { DUE_WORK_SOURCES, type DueJob, type DueWorkSource } from '../due-work';
import { SweepStateRepository } from './sweep-state.repository';

export interface SweepResult {
  runCount: number;
  ranAt: string;
  /** Jobs enqueued per source this tick. */
  enqueued: Record<string, number>;
}

export type Enqueue = (queue: string, jobs: DueJob[]) => Promise<void>;

/** A tick never claims more than this many batches per source; the next tick goes on. */
const MAX_BATCHES_PER_TICK = 20;

/**
 * The heartbeat of the engine (the worker's one job scheduler runs it every
 * DUBAN_SWEEP_INTERVAL_MS). It records that it ran, then asks every due-work source to claim
 * what is due and enqueues the jobs. With nothing due each source costs one index probe.
 */
@Injectable()
export class SweepService {
  private readonly logger = new Logger(SweepService.name);

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DUE_WORK_SOURCES) private readonly sources: DueWorkSource[],
    private readonly state: SweepStateRepository,
  ) {}

  async tick(workerId: string, enqueue: Enqueue): Promise<SweepResult> {
    const now = this.clock.now();
    const runCount = await this.state.recordTick(this.db.manager, now, workerId);
    const enqueued: Record<string, number> = {};
    const batch = this.config.DUBAN_SWEEP_BATCH;
    for (const source of this.sources) {
      enqueued[source.name] = 0;
      for (let i = 0; i < MAX_BATCHES_PER_TICK; i++) {
        const jobs = await source.claim(now, batch);
        if (jobs.length > 0) await enqueue(source.queue, jobs);
        enqueued[source.name] += jobs.length;
        // Sources that hand out one job per claimed item say "more may be due" by filling the batch.
        if (jobs.length === 0 || !this.mayHaveMore(jobs, batch)) break;
      }
    }
    if (Object.values(enqueued).some((n) => n > 0))
      this.logger.log(`sweep enqueued ${JSON.stringify(enqueued)}`);
    return { runCount, ranAt: now.toISOString(), enqueued };
  }

  private mayHaveMore(jobs: DueJob[], batch: number): boolean {
    const items = jobs.reduce((n, j) => n + ('taskIds' in j.data ? j.data.taskIds.length : 1), 0);
    return items >= batch;
  }
}
