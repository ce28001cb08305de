import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Problem imports are recorded (to recognise a file imported before: the same bytes, or the
 * same problems for the same raising org), and each person may have one calendar feed whose
 * secret token is stored only as its SHA-256. An org's robot speaks a format (duban JSON,
 * DingTalk or WeCom markdown); a WeCom robot needs no secret (its key is in the URL).
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
    await q.query(`
      ALTER TABLE org_webhooks
        ADD COLUMN format text NOT NULL DEFAULT 'duban'
          CHECK (format IN ('duban', 'dingtalk', 'wecom')),
        ALTER COLUMN secret DROP NOT NULL,
        ADD CONSTRAINT org_webhooks_secret_needed CHECK (secret IS NOT NULL OR format = 'wecom')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM org_webhooks WHERE secret IS NULL`);
    await q.query(`
      ALTER TABLE org_webhooks
        DROP CONSTRAINT org_webhooks_secret_needed,
        ALTER COLUMN secret SET NOT NULL,
        DROP COLUMN format`);
    await q.query(`DROP TABLE calendar_feeds`);
    await q.query(`DROP TABLE problem_imports`);
  }
}
