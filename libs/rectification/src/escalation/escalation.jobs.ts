import { Injectable } from '@nestjs/common';
import { JOB, type JobPayloads, OnJob } from '#duban/scheduling';
import { LadderService } from './ladder.service';
import { ENGINE_QUEUE } from './task-timer.source';

/**
 * Timer batches share the engine queue with the quarterly rhythm and the re-inspection jobs,
 * a handful a quarter that must not wait behind a backlog of thousands of batches (the soak of
 * 2026-12-02 saw the quarter start run late behind one). BullMQ runs jobs without a priority
 * before prioritised ones, so the batches, and only they, carry one.
 */
export const TIMER_BATCH_PRIORITY = 10;

/** The escalation ladder's job: the due timers of a batch of tasks (claimed by TaskTimerSource). */
@Injectable()
export class EscalationJobs {
  constructor(private readonly ladder: LadderService) {}

  @OnJob(JOB.taskTimers, { queue: ENGINE_QUEUE, options: { priority: TIMER_BATCH_PRIORITY } })
  taskTimers({ taskIds }: JobPayloads['task-timers']): Promise<number> {
    return this.ladder.processTasks(taskIds);
  }
}
