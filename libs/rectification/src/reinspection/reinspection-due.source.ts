import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '#duban/domain';
import { type DueJob, type DueWorkSource, JOB } from '#duban/scheduling';
import { ENGINE_QUEUE } from '../escalation/task-timer.source';
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
    const runs: { time_zone: string; quarter: string }[] = await this.db.query(
      `SELECT time_zone, quarter FROM quarter_runs WHERE kind = 'reinspect'
          AND (time_zone, quarter) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [quarters.map((x) => x.zone), quarters.map((x) => x.label)],
    );
    const done = new Set(runs.map((r) => `${r.time_zone} ${r.quarter}`));
    return [
      ...quarters
        .filter((x) => !done.has(`${x.zone} ${x.label}`))
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
      const rows: { time_zone: string }[] = await this.db.query(
        `SELECT DISTINCT time_zone FROM orgs`,
      );
      this.zones = { list: rows.map((r) => r.time_zone), readAt: now.getTime() };
    }
    return this.zones.list;
  }
}
