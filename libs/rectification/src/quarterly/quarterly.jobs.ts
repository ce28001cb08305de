import { Injectable } from '@nestjs/common';
import { JOB, type JobPayloads, OnJob } from '#duban/scheduling';
import { ENGINE_QUEUE } from '../escalation/task-timer.source';
import { QuarterlyService } from './quarterly.service';

/** The quarterly rhythm's jobs (claimed by QuarterlyService as a DueWorkSource). */
@Injectable()
export class QuarterlyJobs {
  constructor(private readonly quarterly: QuarterlyService) {}

  @OnJob(JOB.quarterStart, { queue: ENGINE_QUEUE })
  quarterStart({ timeZone, quarter }: JobPayloads['quarter-start']): Promise<number> {
    return this.quarterly.start(timeZone, quarter);
  }

  @OnJob(JOB.quarterLate, { queue: ENGINE_QUEUE })
  quarterLate({ timeZone, quarter }: JobPayloads['quarter-late']): Promise<number> {
    return this.quarterly.late(timeZone, quarter);
  }
}
