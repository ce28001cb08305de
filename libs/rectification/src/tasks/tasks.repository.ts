import { Injectable } from '@nestjs/common';

/**
 * The only writer of `tasks` and `extensions`: every statement that reads or changes a
 * measure's row lives here, next to its row mapping. Services pass their transaction's
 * EntityManager explicitly.
 */
@Injectable()
export class TasksRepository {
  // ── lifecycle: create, transitions, extensions, reassignment (TasksService, administration) ──

  // ── engine: ladder levels, timers, policy changes, quarterly notices, calendar changes ──
}
