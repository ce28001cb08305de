import { Injectable } from '@nestjs/common';
import { JOB, type JobPayloads, OnJob } from '#duban/scheduling';
import { ENGINE_QUEUE } from '../escalation/task-timer.source';
import { ReinspectionService } from './reinspection.service';

/** 回头看's jobs (claimed by ReinspectionDueSource). */
@Injectable()
export class ReinspectionJobs {
  constructor(private readonly reinspections: ReinspectionService) {}

  @OnJob(JOB.reinspectionDraws, { queue: ENGINE_QUEUE })
  draws({ timeZone, quarter }: JobPayloads['reinspection-draws']): Promise<number> {
    return this.reinspections.drawQuarter(timeZone, quarter);
  }

  @OnJob(JOB.reinspectionOverdue, { queue: ENGINE_QUEUE })
  overdue({ reinspectionIds }: JobPayloads['reinspection-overdue']): Promise<number> {
    return this.reinspections.notifyOverdue(reinspectionIds);
  }
}
