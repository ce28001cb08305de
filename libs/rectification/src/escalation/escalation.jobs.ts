import { Injectable } from '@nestjs/common';
import { JOB, type JobPayloads, OnJob } from '#duban/scheduling';
import { LadderService } from './ladder.service';
import { ENGINE_QUEUE } from './task-timer.source';

/** The escalation ladder's job: the due timers of a batch of tasks (claimed by TaskTimerSource). */
@Injectable()
export class EscalationJobs {
  constructor(private readonly ladder: LadderService) {}

  @OnJob(JOB.taskTimers, { queue: ENGINE_QUEUE })
  taskTimers({ taskIds }: JobPayloads['task-timers']): Promise<number> {
    return this.ladder.processTasks(taskIds);
  }
}
