import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 督查: inspection campaigns, their targets (chosen or drawn with a recorded seed and
 * population) and findings; a finding is a problem raised with `campaign_id` set.
 */
export class Campaigns1764610000000 implements MigrationInterface {
  name = 'Campaigns1764610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('quarterly', 'roving', 'special', 'spot_check')),
        raised_by_org_id uuid NOT NULL REFERENCES orgs (id),
        raised_by_org_path ltree NOT NULL,
        starts_on date NOT NULL,
        ends_on date NOT NULL CHECK (ends_on >= starts_on),
        leader_user_id uuid NOT NULL REFERENCES users (id),
        team_user_ids uuid[] NOT NULL,
        target_draw jsonb,
        checklist jsonb NOT NULL DEFAULT '[]',
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
        summary jsonb,
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL,
        closed_by uuid REFERENCES users (id),
        closed_at timestamptz,
        CHECK ((state = 'closed') = (closed_at IS NOT NULL AND summary IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX campaigns_raised_by_path ON campaigns USING gist (raised_by_org_path)`,
    );
    await q.query(`CREATE INDEX campaigns_team ON campaigns USING gin (team_user_ids)`);
    await q.query(`
      CREATE TABLE campaign_targets (
        campaign_id uuid NOT NULL REFERENCES campaigns (id),
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        position int NOT NULL,
        PRIMARY KEY (campaign_id, org_id)
      )`);
    await q.query(`CREATE INDEX campaign_targets_path ON campaign_targets USING gist (org_path)`);
    await q.query(`
      CREATE TABLE campaign_findings (
        id uuid PRIMARY KEY,
        campaign_id uuid NOT NULL,
        target_org_id uuid NOT NULL,
        checklist_code text,
        problem_id uuid NOT NULL UNIQUE REFERENCES problems (id),
        attachment_ids uuid[] NOT NULL DEFAULT '{}',
        recorded_by uuid NOT NULL REFERENCES users (id),
        recorded_at timestamptz NOT NULL,
        FOREIGN KEY (campaign_id, target_org_id) REFERENCES campaign_targets (campaign_id, org_id)
      )`);
    await q.query(
      `CREATE INDEX campaign_findings_target ON campaign_findings (campaign_id, target_org_id)`,
    );
    await q.query(`ALTER TABLE problems ADD COLUMN campaign_id uuid REFERENCES campaigns (id)`);
    await q.query(
      `CREATE INDEX problems_campaign_id ON problems (campaign_id, org_id) WHERE campaign_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE problems DROP COLUMN campaign_id`);
    await q.query(`DROP TABLE campaign_findings`);
    await q.query(`DROP TABLE campaign_targets`);
    await q.query(`DROP TABLE campaigns`);
  }
}
