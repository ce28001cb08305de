import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The supervision engine's state. Every future action of a task is derivable from
 * `tasks.next_fire_at` (indexed: an idle sweep is one index probe); every effect applied is a
 * row under a unique key, which is what makes it happen once whatever the retries.
 */
export class Engine1763810000000 implements MigrationInterface {
  name = 'Engine1763810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE escalation_policies (
        org_id uuid PRIMARY KEY REFERENCES orgs (id),
        document jsonb NOT NULL,
        updated_by uuid NOT NULL REFERENCES users (id),
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`ALTER TABLE tasks
      ADD COLUMN next_fire_at timestamptz,
      ADD COLUMN claimed_until timestamptz,
      ADD COLUMN deadline_set_at timestamptz,
      ADD COLUMN supervised boolean NOT NULL DEFAULT false,
      ADD COLUMN circulated boolean NOT NULL DEFAULT false`);
    await q.query(
      `CREATE INDEX tasks_next_fire ON tasks (next_fire_at) WHERE next_fire_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE task_effects (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id),
        effect_key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('reminder', 'step')),
        level int,
        name text,
        deadline timestamptz NOT NULL,
        planned_at timestamptz NOT NULL,
        fired_at timestamptz NOT NULL,
        superseded boolean NOT NULL DEFAULT false,
        notified uuid[] NOT NULL DEFAULT '{}',
        UNIQUE (task_id, effect_key)
      )`);
    await q.query(`CREATE INDEX task_effects_fired ON task_effects (fired_at, kind)`);
    await q.query(`
      CREATE TABLE accountability_cases (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id),
        effect_key text NOT NULL,
        raising_org_id uuid NOT NULL REFERENCES orgs (id),
        raising_org_path ltree NOT NULL,
        subject_org_id uuid NOT NULL REFERENCES orgs (id),
        subject_org_path ltree NOT NULL,
        subject_user_ids uuid[] NOT NULL,
        opened_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('open', 'decided')),
        outcome text CHECK (outcome IN ('inspection', 'circulated_notice', 'reorganisation',
          'admonishment', 'organisational_adjustment', 'disciplinary', 'exempted')),
        reason text,
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        CHECK ((state = 'decided') = (outcome IS NOT NULL AND reason IS NOT NULL)),
        UNIQUE (task_id, effect_key)
      )`);
    await q.query(
      `CREATE INDEX accountability_cases_subject ON accountability_cases USING gist (subject_org_path)`,
    );
    await q.query(
      `CREATE INDEX accountability_cases_raising ON accountability_cases USING gist (raising_org_path)`,
    );
    await q.query(`
      CREATE TABLE quarter_runs (
        time_zone text NOT NULL,
        quarter text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('start', 'late')),
        done_at timestamptz NOT NULL,
        affected int NOT NULL,
        PRIMARY KEY (time_zone, quarter, kind)
      )`);
    await q.query(`
      CREATE TABLE calendar_overrides (
        date date PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('workday', 'holiday')),
        note text,
        updated_by uuid REFERENCES users (id),
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'calendar_overrides',
      'quarter_runs',
      'accountability_cases',
      'task_effects',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`ALTER TABLE tasks DROP COLUMN next_fire_at, DROP COLUMN claimed_until,
      DROP COLUMN deadline_set_at, DROP COLUMN supervised, DROP COLUMN circulated`);
    await q.query(`DROP TABLE escalation_policies`);
  }
}
