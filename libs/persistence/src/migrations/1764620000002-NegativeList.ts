import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 负面清单: one entry per unit or person while listed (a partial UNIQUE index keeps at most
 * one open entry per subject), with its reasons. An entry is listed while not lifted and its
 * last reason is less than 12 months old; when a new reason finds it expired, it is closed
 * (`lift_kind` 'expired') and a new entry opens.
 */
export class NegativeList1764620000002 implements MigrationInterface {
  name = 'NegativeList1764620000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE negative_list_entries (
        id uuid PRIMARY KEY,
        subject_type text NOT NULL CHECK (subject_type IN ('org', 'user')),
        subject_id uuid NOT NULL,
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        raising_org_id uuid NOT NULL REFERENCES orgs (id),
        reasons jsonb NOT NULL,
        since timestamptz NOT NULL,
        last_reason_at timestamptz NOT NULL,
        lifted_at timestamptz,
        lift_kind text CHECK (lift_kind IN ('lifted', 'expired')),
        lift_reason text,
        lifted_by uuid REFERENCES users (id),
        CHECK ((lifted_at IS NULL) = (lift_kind IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX negative_list_open ON negative_list_entries (subject_type, subject_id)
      WHERE lifted_at IS NULL`);
    await q.query(`CREATE INDEX negative_list_path ON negative_list_entries USING gist (org_path)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE negative_list_entries`);
  }
}
