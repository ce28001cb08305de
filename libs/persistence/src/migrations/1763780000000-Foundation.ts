import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763780000000 implements MigrationInterface {
  name = 'Foundation1763780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS ltree`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE orgs (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL
          CHECK (kind IN ('work_committee', 'committee', 'general_branch', 'branch', 'group')),
        parent_id uuid REFERENCES orgs (id),
        path ltree NOT NULL UNIQUE,
        time_zone text NOT NULL,
        created_at timestamptz NOT NULL,
        CHECK ((parent_id IS NULL) = (nlevel(path) = 1))
      )`);
    await q.query(`CREATE INDEX orgs_path_gist ON orgs USING gist (path)`);
    await q.query(`CREATE INDEX orgs_parent_id ON orgs (parent_id)`);
    // Sibling organisations have distinct names; top-level ones too.
    await q.query(
      `CREATE UNIQUE INDEX orgs_sibling_name ON orgs (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name)`,
    );
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username text NOT NULL CHECK (username ~ '^[A-Za-z0-9_.@-]{3,64}$'),
        display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
        password_hash text NOT NULL,
        email text,
        phone text,
        system_admin boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_lower ON users (lower(username))`);
    await q.query(`
      CREATE TABLE role_assignments (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id),
        org_id uuid NOT NULL REFERENCES orgs (id),
        role text NOT NULL
          CHECK (role IN ('admin', 'secretary', 'deputy', 'supervisor', 'member', 'discipline')),
        granted_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL,
        UNIQUE (user_id, org_id, role)
      )`);
    await q.query(`CREATE INDEX role_assignments_org_id ON role_assignments (org_id, role)`);
    // The worker's heartbeat: one row per recurring job, updated on every run.
    await q.query(`
      CREATE TABLE sweep_state (
        name text PRIMARY KEY,
        run_count bigint NOT NULL DEFAULT 0,
        last_run_at timestamptz NOT NULL,
        last_worker text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sweep_state`);
    await q.query(`DROP TABLE role_assignments`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE orgs`);
  }
}
