import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Problem imports are recorded (to recognise a file imported before: the same bytes, or the
 * same problems for the same raising org), and each person may have one calendar feed whose
 * secret token is stored only as its SHA-256.
 */
export class ImportsAndCalendarFeeds1764640000000 implements MigrationInterface {
  name = 'ImportsAndCalendarFeeds1764640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE problem_imports (
        id uuid PRIMARY KEY,
        raised_by_org_id uuid NOT NULL REFERENCES orgs (id),
        content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
        problems_sha256 text NOT NULL CHECK (problems_sha256 ~ '^[0-9a-f]{64}$'),
        file_name text,
        problems integer NOT NULL CHECK (problems >= 0),
        tasks integer NOT NULL CHECK (tasks >= 0),
        problem_ids uuid[] NOT NULL,
        forced boolean NOT NULL DEFAULT false,
        imported_by uuid NOT NULL REFERENCES users (id),
        imported_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX problem_imports_content ON problem_imports (raised_by_org_id, content_sha256)`,
    );
    await q.query(
      `CREATE INDEX problem_imports_problems ON problem_imports (raised_by_org_id, problems_sha256)`,
    );
    await q.query(`
      CREATE TABLE calendar_feeds (
        user_id uuid PRIMARY KEY REFERENCES users (id),
        feed_id uuid NOT NULL UNIQUE,
        token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_feeds`);
    await q.query(`DROP TABLE problem_imports`);
  }
}
