import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Administration of people and orgs: a role is revoked by stamping it (the row stays, as
 * history), an org can be deactivated (停用), a problem can be withdrawn (撤回) — its open
 * measures are stamped too, so the engine stops escalating them.
 */
export class Administration1764660000000 implements MigrationInterface {
  name = 'Administration1764660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE role_assignments
        ADD COLUMN revoked_at timestamptz,
        ADD COLUMN revoked_by uuid REFERENCES users (id),
        ADD CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))`);
    // A role may be granted again after a revocation: only one live grant per user, org and role.
    await q.query(
      `ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_user_id_org_id_role_key`,
    );
    await q.query(
      `CREATE UNIQUE INDEX role_assignments_live ON role_assignments (user_id, org_id, role)
        WHERE revoked_at IS NULL`,
    );
    await q.query(`ALTER TABLE orgs ADD COLUMN active boolean NOT NULL DEFAULT true`);
    await q.query(`
      ALTER TABLE problems
        ADD COLUMN withdrawn_at timestamptz,
        ADD COLUMN withdrawn_by uuid REFERENCES users (id),
        ADD COLUMN withdraw_reason text,
        ADD CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))`);
    await q.query(`ALTER TABLE tasks ADD COLUMN withdrawn_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN withdrawn_at`);
    await q.query(
      `ALTER TABLE problems DROP COLUMN withdrawn_at, DROP COLUMN withdrawn_by, DROP COLUMN withdraw_reason`,
    );
    await q.query(`ALTER TABLE orgs DROP COLUMN active`);
    await q.query(`DELETE FROM role_assignments WHERE revoked_at IS NOT NULL`);
    await q.query(`DROP INDEX role_assignments_live`);
    await q.query(
      `ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_user_id_org_id_role_key UNIQUE (user_id, org_id, role)`,
    );
    await q.query(`ALTER TABLE role_assignments DROP COLUMN revoked_at, DROP COLUMN revoked_by`);
  }
}
