import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '#duban/domain';
import { TasksService } from '../tasks/tasks.service';
import { EffectsRepository, type StepRecord } from './effects.repository';

/** A task's escalation history, for those who may see the task. */
@Injectable()
export class EscalationsService {
  constructor(
    private readonly db: DataSource,
    private readonly tasks: TasksService,
    private readonly effects: EffectsRepository,
  ) {}

  /** The steps the task reached, oldest first; 404 when the task is outside the actor's scope. */
  async stepsOf(actor: Actor, taskId: string): Promise<StepRecord[]> {
    await this.tasks.get(actor, taskId);
    return this.effects.stepsOf(this.db.manager, taskId);
  }
}
