import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '#duban/domain';
import { type DueJob, type DueWorkSource, JOB } from '#duban/scheduling';
import { ENGINE_QUEUE } from '../escalation/task-timer.source';
import { QuarterlyRepository, runId } from '../quarterly/quarterly.repository';
import { ReinspectionRepository } from './reinspection.repository';
import { ReinspectionService } from './reinspection.service';

const OVERDUE_BATCH = 200;

const ZONES_TTL_MS = 5 * 60_000;

/**
 * At each quarter's end, per time zone in use, one job draws the 回头看 samples of the quarter
 * that just ended. The job id is deterministic and the run is marked in quarter_runs (kind
 * 'reinspect') by the job itself, so the sweep stops asking once it ran; if Redis loses the job
 * the next sweep enqueues it again, and a second run finds the mark (and each draw's UNIQUE
 * (org_id, quarter)) and changes nothing.
 */
@Injectable()
export class ReinspectionDueSource implements DueWorkSource {
  readonly name = 'reinspection-draws';
  readonly queue = ENGINE_QUEUE;
  private zones: { list: string[]; readAt: number } | null = null;

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly repo: ReinspectionRepository,
    private readonly runs: QuarterlyRepository,
  ) {}

  async claim(
    now: Date = this.clock.now(),
  ): Promise<DueJob<'reinspection-draws' | 'reinspection-overdue'>[]> {
    const zones = await this.zonesInUse(now);
    const quarters = zones.map((zone) => ({
      zone,
      label: ReinspectionService.previousQuarter(now, zone).label,
    }));
    // Re-inspections past their deadline: one job each (deterministic id), told once.
    const overdue = (await this.repo.overdueUnnotified(this.db.manager, now, OVERDUE_BATCH)).map(
      (id) => ({
        name: JOB.reinspectionOverdue,
        jobId: `reinspection-overdue:${id}`,
        data: { reinspectionIds: [id] },
      }),
    );
    if (quarters.length === 0) return overdue;
    const done = await this.runs.runsDone(
      this.db.manager,
      quarters.map((x) => ({ timeZone: x.zone, quarter: x.label })),
    );
    return [
      ...quarters
        .filter((x) => !done.has(runId(x.zone, x.label, 'reinspect')))
        .map((x) => ({
          name: JOB.reinspectionDraws,
          jobId: `reinspection-draws:${x.zone}:${x.label}`,
          data: { timeZone: x.zone, quarter: x.label },
        })),
      ...overdue,
    ];
  }

  private async zonesInUse(now: Date): Promise<string[]> {
    if (
      !this.zones ||
      now.getTime() - this.zones.readAt > ZONES_TTL_MS ||
      now.getTime() < this.zones.readAt
    ) {
      this.zones = { list: await this.runs.zonesInUse(this.db.manager), readAt: now.getTime() };
    }
    return this.zones.list;
  }
}
