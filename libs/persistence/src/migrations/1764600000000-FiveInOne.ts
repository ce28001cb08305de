import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The five-in-one loop (五位一体): commitments (承诺), 述职评议 (reviews with anonymous
 * ballots), the annual assessment (考核), and accountability cases opened by them (问责).
 *
 * Anonymity of ballots is a property of this schema: `review_voters` records who has voted
 * for whom, and `review_tallies` holds only counters and comments per review and subject. No
 * row stores a voter next to a grade, nothing has a timestamp or a sequence, and every ballot
 * rewrites every tally row of its review (see ReviewsRepository.castBallot), so neither the
 * rows' physical order nor their xmin tells which counter a given ballot moved.
 */
export class FiveInOne1764600000000 implements MigrationInterface {
  name = 'FiveInOne1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE commitments (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        user_id uuid REFERENCES users (id),
        year int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        state text NOT NULL
          CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'published', 'evaluated')),
        return_comment text,
        filed_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        approved_by uuid REFERENCES users (id),
        published_at timestamptz,
        evaluated_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX commitments_one_per_year ON commitments
        (org_id, year, coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid))`,
    );
    await q.query(`CREATE INDEX commitments_path ON commitments USING gist (org_path)`);
    await q.query(`
      CREATE TABLE commitment_items (
        id uuid PRIMARY KEY,
        commitment_id uuid NOT NULL REFERENCES commitments (id),
        position int NOT NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        target text NOT NULL CHECK (length(target) BETWEEN 1 AND 2000),
        due_date date NOT NULL,
        task_ids uuid[] NOT NULL DEFAULT '{}',
        result text CHECK (result IN ('fulfilled', 'partly', 'not_fulfilled')),
        result_comment text,
        UNIQUE (commitment_id, position)
      )`);
    await q.query(`
      CREATE TABLE commitment_progress (
        id uuid PRIMARY KEY,
        item_id uuid NOT NULL REFERENCES commitment_items (id),
        quarter text NOT NULL,
        content text NOT NULL,
        attachment_ids uuid[] NOT NULL DEFAULT '{}',
        reported_by uuid NOT NULL REFERENCES users (id),
        reported_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX commitment_progress_item ON commitment_progress (item_id)`);

    await q.query(`
      CREATE TABLE reviews (
        id uuid PRIMARY KEY,
        host_org_id uuid NOT NULL REFERENCES orgs (id),
        host_org_path ltree NOT NULL,
        year int NOT NULL,
        state text NOT NULL CHECK (state IN ('open', 'closed')),
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL,
        closed_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE review_subjects (
        review_id uuid NOT NULL REFERENCES reviews (id),
        user_id uuid NOT NULL REFERENCES users (id),
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        report_text text,
        report_attachment_ids uuid[] NOT NULL DEFAULT '{}',
        reported_at timestamptz,
        -- frozen at close
        counts jsonb,
        score numeric(5, 2),
        grade text CHECK (grade IN ('good', 'fairly_good', 'average', 'poor')),
        PRIMARY KEY (review_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE review_voting_list (
        review_id uuid NOT NULL REFERENCES reviews (id),
        user_id uuid NOT NULL REFERENCES users (id),
        PRIMARY KEY (review_id, user_id)
      )`);
    // Who has voted for whom — never what.
    await q.query(`
      CREATE TABLE review_voters (
        review_id uuid NOT NULL REFERENCES reviews (id),
        voter_user_id uuid NOT NULL REFERENCES users (id),
        subject_user_id uuid NOT NULL,
        PRIMARY KEY (review_id, voter_user_id, subject_user_id),
        FOREIGN KEY (review_id, subject_user_id) REFERENCES review_subjects (review_id, user_id)
      )`);
    // What was voted — never by whom: counters and a shuffled bag of comments per subject.
    await q.query(`
      CREATE TABLE review_tallies (
        review_id uuid NOT NULL REFERENCES reviews (id),
        subject_user_id uuid NOT NULL,
        good int NOT NULL DEFAULT 0 CHECK (good >= 0),
        fairly_good int NOT NULL DEFAULT 0 CHECK (fairly_good >= 0),
        average int NOT NULL DEFAULT 0 CHECK (average >= 0),
        poor int NOT NULL DEFAULT 0 CHECK (poor >= 0),
        comments text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (review_id, subject_user_id),
        FOREIGN KEY (review_id, subject_user_id) REFERENCES review_subjects (review_id, user_id)
      )`);

    await q.query(`
      CREATE TABLE assessment_schemes (
        org_id uuid NOT NULL REFERENCES orgs (id),
        year int NOT NULL,
        indicators jsonb NOT NULL,
        grades jsonb NOT NULL,
        updated_by uuid NOT NULL REFERENCES users (id),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, year)
      )`);
    await q.query(`
      CREATE TABLE assessment_manual_values (
        scheme_org_id uuid NOT NULL REFERENCES orgs (id),
        year int NOT NULL,
        org_id uuid NOT NULL REFERENCES orgs (id),
        code text NOT NULL,
        value numeric NOT NULL CHECK (value BETWEEN 0 AND 100),
        reason text NOT NULL CHECK (length(reason) >= 1),
        attachment_ids uuid[] NOT NULL,
        entered_by uuid NOT NULL REFERENCES users (id),
        entered_at timestamptz NOT NULL,
        PRIMARY KEY (scheme_org_id, year, org_id, code)
      )`);
    await q.query(`
      CREATE TABLE assessments (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        year int NOT NULL,
        scheme jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('computed', 'confirmed')),
        computed_by uuid NOT NULL REFERENCES users (id),
        computed_at timestamptz NOT NULL,
        confirmed_by uuid REFERENCES users (id),
        confirmed_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE assessment_rows (
        assessment_id uuid NOT NULL REFERENCES assessments (id),
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        indicators jsonb NOT NULL,
        total numeric(6, 2) NOT NULL,
        grade text NOT NULL CHECK (grade IN ('good', 'fairly_good', 'average', 'poor')),
        PRIMARY KEY (assessment_id, org_id)
      )`);
    await q.query(`
      CREATE TABLE assessment_appeals (
        id uuid PRIMARY KEY,
        assessment_id uuid NOT NULL REFERENCES assessments (id),
        org_id uuid NOT NULL REFERENCES orgs (id),
        reason text NOT NULL CHECK (length(reason) >= 1),
        filed_by uuid NOT NULL REFERENCES users (id),
        filed_at timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
        decision_reason text,
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        CHECK ((state = 'open') = (decided_at IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX assessment_appeals_one_open ON assessment_appeals (assessment_id, org_id)
        WHERE state = 'open'`,
    );

    // 问责 from the loop: a case without a task, under a unique source key.
    await q.query(`ALTER TABLE accountability_cases ALTER COLUMN task_id DROP NOT NULL`);
    await q.query(`ALTER TABLE accountability_cases ADD COLUMN source_summary text`);
    await q.query(
      `ALTER TABLE accountability_cases ADD CONSTRAINT accountability_cases_task_or_source
        CHECK (task_id IS NOT NULL OR source_summary IS NOT NULL)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX accountability_cases_source_key ON accountability_cases (effect_key)
        WHERE task_id IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX accountability_cases_source_key`);
    await q.query(`DELETE FROM accountability_cases WHERE task_id IS NULL`);
    await q.query(
      `ALTER TABLE accountability_cases DROP CONSTRAINT accountability_cases_task_or_source`,
    );
    await q.query(`ALTER TABLE accountability_cases DROP COLUMN source_summary`);
    await q.query(`ALTER TABLE accountability_cases ALTER COLUMN task_id SET NOT NULL`);
    for (const t of [
      'assessment_appeals',
      'assessment_rows',
      'assessments',
      'assessment_manual_values',
      'assessment_schemes',
      'review_tallies',
      'review_voters',
      'review_voting_list',
      'review_subjects',
      'reviews',
      'commitment_progress',
      'commitment_items',
      'commitments',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
