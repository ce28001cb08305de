import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conflicts of interest: who acted on a task (accepted it, reported progress, submitted it,
 * asked for an extension) never verifies, closes or checks it. `tasks.acted_by` keeps them,
 * first act first, maintained by every command; the existing tasks get theirs from their audit
 * chain, so work done before this migration keeps its protection.
 */
export class TaskActedBy1764500000000 implements MigrationInterface {
  name = 'TaskActedBy1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN acted_by uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      UPDATE tasks t SET acted_by = a.ids
        FROM (SELECT stream_id, array_agg(actor_id ORDER BY first_seq) AS ids
                FROM (SELECT stream_id, actor_id, min(seq) AS first_seq
                        FROM audit_events
                       WHERE stream_type = 'task' AND actor_id IS NOT NULL
                         AND type IN ('accepted', 'progress_reported', 'submitted',
                                      'extension_requested')
                       GROUP BY stream_id, actor_id) firsts
               GROUP BY stream_id) a
       WHERE a.stream_id = t.id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN acted_by`);
  }
}
