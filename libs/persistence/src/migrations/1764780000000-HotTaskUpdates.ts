import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets the hot updates of a measure be HOT (heap-only) updates, which write no index entry.
 * PostgreSQL can only do that when no indexed column changes value (a column in an index's
 * predicate counts) and the page has room. Before this migration every accept, report, submit
 * and escalation step wrote an entry into all nine indexes of `tasks` — three of them GiST over
 * long ltree paths — because:
 * - the timers (`next_fire_at`, indexed for the sweep, and `claimed_until`) lived on the row;
 *   they move to `task_timers`, one narrow row per measure whose timer is pending (deleted when
 *   the ladder has nothing left to plan);
 * - `state` was a key of `tasks_responsible_user` and the predicate of the two open-work
 *   indexes; the user index keys on the user alone, and the predicates read `stage`, a stored
 *   column generated from `state` whose value only changes on verify (1) and close (2):
 *   assigned → in progress → submitted (all 0) touches no index;
 * - pages were packed full: `fillfactor` 85 leaves room for the new version on its own page.
 *
 * Adding the stored column rewrites the table once (under an exclusive lock: schedule it with
 * the deployment; 31 s for 10^6 measures on this machine), with the new fillfactor. The rows of the
 * timers move in both directions.
 */
export class HotTaskUpdates1764780000000 implements MigrationInterface {
  name = 'HotTaskUpdates1764780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_timers (
        task_id uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
        next_fire_at timestamptz NOT NULL,
        claimed_until timestamptz
      )`);
    await q.query(
      `INSERT INTO task_timers (task_id, next_fire_at, claimed_until)
       SELECT id, next_fire_at, claimed_until FROM tasks WHERE next_fire_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX task_timers_due ON task_timers (next_fire_at)`);
    // Dropped before the rewrite, so that it does not rebuild them only to drop them.
    await q.query(`DROP INDEX tasks_responsible_user, tasks_open_due, tasks_open_path_due`);
    await q.query(`ALTER TABLE tasks SET (fillfactor = 85)`);
    await q.query(`ALTER TABLE tasks DROP COLUMN next_fire_at, DROP COLUMN claimed_until,
      ADD COLUMN stage smallint NOT NULL
        GENERATED ALWAYS AS (CASE state WHEN 'closed' THEN 2 WHEN 'verified' THEN 1 ELSE 0 END) STORED`);
    await q.query(`CREATE INDEX tasks_responsible_user ON tasks (responsible_user_id)`);
    await q.query(`CREATE INDEX tasks_open_due ON tasks (due_at) WHERE stage < 2`);
    await q.query(
      `CREATE INDEX tasks_open_path_due ON tasks USING gist (responsible_org_path, due_at)
        WHERE stage = 0`,
    );
    await q.query(`ANALYZE tasks, task_timers`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_responsible_user, tasks_open_due, tasks_open_path_due`);
    await q.query(`ALTER TABLE tasks DROP COLUMN stage,
      ADD COLUMN next_fire_at timestamptz, ADD COLUMN claimed_until timestamptz`);
    await q.query(`ALTER TABLE tasks RESET (fillfactor)`);
    await q.query(
      `UPDATE tasks t SET next_fire_at = tt.next_fire_at, claimed_until = tt.claimed_until
         FROM task_timers tt WHERE tt.task_id = t.id`,
    );
    await q.query(`DROP TABLE task_timers`);
    await q.query(
      `CREATE INDEX tasks_next_fire ON tasks (next_fire_at) WHERE next_fire_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX tasks_responsible_user ON tasks (responsible_user_id, state)`);
    await q.query(`CREATE INDEX tasks_open_due ON tasks (due_at) WHERE state <> 'closed'`);
    await q.query(
      `CREATE INDEX tasks_open_path_due ON tasks USING gist (responsible_org_path, due_at)
        WHERE state NOT IN ('verified', 'closed')`,
    );
  }
}
