import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The three lists (问题清单, 任务清单, 责任清单), extensions, evidence and the audit record.
 * Rows carry the ltree path of the org that scopes them, so every list filters by subtree
 * with one GiST index probe instead of a join through the tree.
 */
export class Lifecycle1763790000000 implements MigrationInterface {
  name = 'Lifecycle1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE problems (
        id uuid PRIMARY KEY,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        description text NOT NULL CHECK (length(description) <= 10000),
        category text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('general', 'serious', 'critical')),
        source text NOT NULL,
        campaign text,
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        raised_by_org_id uuid NOT NULL REFERENCES orgs (id),
        raised_by uuid NOT NULL REFERENCES users (id),
        recurrence_of uuid[] NOT NULL DEFAULT '{}',
        task_count int NOT NULL DEFAULT 0,
        open_task_count int NOT NULL DEFAULT 0,
        closed_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX problems_org_path ON problems USING gist (org_path)`);
    await q.query(`CREATE INDEX problems_org_category ON problems (org_id, category, closed_at)`);
    await q.query(
      `CREATE INDEX problems_campaign ON problems (campaign) WHERE campaign IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX problems_text_trgm ON problems USING gin ((title || ' ' || description) gin_trgm_ops)`,
    );
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        problem_id uuid NOT NULL REFERENCES problems (id),
        measure text NOT NULL CHECK (length(measure) BETWEEN 1 AND 2000),
        raising_org_id uuid NOT NULL REFERENCES orgs (id),
        raising_org_path ltree NOT NULL,
        responsible_org_id uuid NOT NULL REFERENCES orgs (id),
        responsible_org_path ltree NOT NULL,
        responsible_user_id uuid NOT NULL REFERENCES users (id),
        leader_user_id uuid REFERENCES users (id),
        mode text NOT NULL CHECK (mode IN ('immediate', 'deadline', 'standing')),
        due_at timestamptz,
        state text NOT NULL
          CHECK (state IN ('assigned', 'in_progress', 'submitted', 'verified', 'closed')),
        version int NOT NULL DEFAULT 1,
        last_submitted_by uuid REFERENCES users (id),
        last_verified_by uuid REFERENCES users (id),
        pending_extension_id uuid,
        last_check_result text CHECK (last_check_result IN ('on_track', 'lagging', 'superficial')),
        last_check_at timestamptz,
        last_progress_at timestamptz,
        escalation_level int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        closed_at timestamptz,
        CHECK ((mode = 'standing') = (due_at IS NULL))
      )`);
    await q.query(`CREATE INDEX tasks_problem ON tasks (problem_id)`);
    await q.query(`CREATE INDEX tasks_responsible_path ON tasks USING gist (responsible_org_path)`);
    await q.query(`CREATE INDEX tasks_raising_path ON tasks USING gist (raising_org_path)`);
    await q.query(`CREATE INDEX tasks_responsible_user ON tasks (responsible_user_id, state)`);
    await q.query(`CREATE INDEX tasks_open_due ON tasks (due_at) WHERE state <> 'closed'`);
    await q.query(`
      CREATE TABLE extensions (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks (id),
        requested_by uuid NOT NULL REFERENCES users (id),
        requested_at timestamptz NOT NULL,
        current_due_at timestamptz NOT NULL,
        requested_due_at timestamptz NOT NULL,
        reason text NOT NULL,
        progress text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        comment text
      )`);
    await q.query(`CREATE INDEX extensions_task ON extensions (task_id, requested_at)`);
    await q.query(
      `CREATE UNIQUE INDEX extensions_one_pending ON extensions (task_id) WHERE state = 'pending'`,
    );
    await q.query(`
      CREATE TABLE attachments (
        id uuid PRIMARY KEY,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL CHECK (size >= 0),
        content_type text NOT NULL,
        file_name text NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES users (id),
        uploaded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX attachments_uploader ON attachments (uploaded_by, uploaded_at)`);
    await q.query(`
      CREATE TABLE task_attachments (
        task_id uuid NOT NULL REFERENCES tasks (id),
        attachment_id uuid NOT NULL REFERENCES attachments (id),
        linked_by uuid NOT NULL REFERENCES users (id),
        linked_at timestamptz NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('progress', 'submission')),
        PRIMARY KEY (task_id, attachment_id)
      )`);
    await q.query(`CREATE INDEX task_attachments_attachment ON task_attachments (attachment_id)`);
    // Committees may require evidence for submissions in some categories (减负: optional by default).
    await q.query(`
      CREATE TABLE evidence_requirements (
        org_id uuid NOT NULL REFERENCES orgs (id),
        category text NOT NULL,
        PRIMARY KEY (org_id, category)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'evidence_requirements',
      'task_attachments',
      'attachments',
      'extensions',
      'tasks',
      'problems',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
