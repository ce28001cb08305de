import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 回头看: per-org re-inspection policies (inherited down the tree), one draw per org and
 * quarter (UNIQUE — the exactly-once guard, whatever the workers and Redis do) recording its
 * seed and population, one re-inspection per sampled measure, and `tasks.relapse` for a
 * measure a re-inspection found back. quarter_runs gains the kind 'reinspect' (the worker's
 * end-of-quarter run per time zone).
 */
export class Reinspection1764620000001 implements MigrationInterface {
  name = 'Reinspection1764620000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN relapse boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE reinspection_policies (
        org_id uuid PRIMARY KEY REFERENCES orgs (id),
        rate numeric NOT NULL CHECK (rate >= 0 AND rate <= 1),
        always_severities text[] NOT NULL DEFAULT '{}',
        inspector_role text NOT NULL CHECK (inspector_role IN ('supervisor', 'secretary', 'deputy')),
        updated_by uuid NOT NULL REFERENCES users (id),
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE reinspection_draws (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        quarter text NOT NULL,
        seed text NOT NULL,
        population jsonb NOT NULL,
        sample_task_ids uuid[] NOT NULL,
        policy jsonb NOT NULL,
        drawn_at timestamptz NOT NULL,
        drawn_by uuid REFERENCES users (id),
        UNIQUE (org_id, quarter)
      )`);
    await q.query(
      `CREATE INDEX reinspection_draws_path ON reinspection_draws USING gist (org_path)`,
    );
    await q.query(`
      CREATE TABLE reinspections (
        id uuid PRIMARY KEY,
        draw_id uuid NOT NULL REFERENCES reinspection_draws (id),
        task_id uuid NOT NULL REFERENCES tasks (id),
        raising_org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        inspector_user_id uuid REFERENCES users (id),
        due_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'held', 'relapsed')),
        note text,
        attachment_ids uuid[] NOT NULL DEFAULT '{}',
        result_by uuid REFERENCES users (id),
        result_at timestamptz,
        created_at timestamptz NOT NULL,
        overdue_notified_at timestamptz,
        CHECK ((state = 'pending') = (result_at IS NULL)),
        UNIQUE (draw_id, task_id)
      )`);
    await q.query(`CREATE INDEX reinspections_path ON reinspections USING gist (org_path)`);
    await q.query(`CREATE INDEX reinspections_task ON reinspections (task_id)`);
    await q.query(`CREATE INDEX reinspections_due ON reinspections (due_at)
      WHERE state = 'pending' AND overdue_notified_at IS NULL`);
    await q.query(`ALTER TABLE quarter_runs DROP CONSTRAINT quarter_runs_kind_check`);
    await q.query(`ALTER TABLE quarter_runs ADD CONSTRAINT quarter_runs_kind_check
      CHECK (kind IN ('start', 'late', 'reinspect'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM quarter_runs WHERE kind = 'reinspect'`);
    await q.query(`ALTER TABLE quarter_runs DROP CONSTRAINT quarter_runs_kind_check`);
    await q.query(`ALTER TABLE quarter_runs ADD CONSTRAINT quarter_runs_kind_check
      CHECK (kind IN ('start', 'late'))`);
    await q.query(`DROP TABLE reinspections`);
    await q.query(`DROP TABLE reinspection_draws`);
    await q.query(`DROP TABLE reinspection_policies`);
    await q.query(`ALTER TABLE tasks DROP COLUMN relapse`);
  }
}
