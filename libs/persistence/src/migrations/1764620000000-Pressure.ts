import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pressure that reaches the top (压力层层传导): a step records the audiences it reached nobody
 * in (`unreached`), the 通报 step the day its 约谈 is due by (`talk_due_by`), and talks
 * (约谈) are recorded per task.
 */
export class Pressure1764620000000 implements MigrationInterface {
  name = 'Pressure1764620000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_effects
      ADD COLUMN unreached text[] NOT NULL DEFAULT '{}',
      ADD COLUMN talk_due_by timestamptz`);
    await q.query(`
      CREATE TABLE task_talks (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id),
        held_on date NOT NULL,
        participant_user_ids uuid[] NOT NULL,
        notes text NOT NULL,
        recorded_by uuid NOT NULL REFERENCES users (id),
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX task_talks_task ON task_talks (task_id, recorded_at)`);
    await q.query(
      `CREATE INDEX task_effects_talk_due ON task_effects (talk_due_by) WHERE talk_due_by IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_talks`);
    await q.query(`DROP INDEX task_effects_talk_due`);
    await q.query(`ALTER TABLE task_effects DROP COLUMN unreached, DROP COLUMN talk_due_by`);
  }
}
