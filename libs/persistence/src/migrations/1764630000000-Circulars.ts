import { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './1764510000000-LeastPrivilege';

/**
 * 通报 as a document: each issued circular with the exact bytes of its .docx, archived once
 * (their sha256 is also in the audit record). One per org and quarter. The app role may read
 * and add circulars but never rewrite or delete one.
 */
export class Circulars1764630000000 implements MigrationInterface {
  name = 'Circulars1764630000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE circulars (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES orgs (id),
        org_path ltree NOT NULL,
        quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        title text NOT NULL,
        file_name text NOT NULL,
        content bytea NOT NULL,
        byte_size int NOT NULL CHECK (byte_size = octet_length(content)),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        addressee_org_ids uuid[] NOT NULL,
        issued_by uuid NOT NULL REFERENCES users (id),
        issued_at timestamptz NOT NULL,
        UNIQUE (org_id, quarter)
      )`);
    await q.query(`CREATE INDEX circulars_org_path ON circulars USING gist (org_path)`);
    await q.query(`CREATE INDEX circulars_addressees ON circulars USING gin (addressee_org_ids)`);
    // Archived unchanged: the app may add a circular, never alter or remove one.
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON circulars FROM ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE circulars`);
  }
}
