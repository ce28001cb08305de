import { MigrationInterface, QueryRunner } from 'typeorm';

/** The role every pooled app connection takes (`SET ROLE`); see data-source.ts. */
export const APP_ROLE = 'duban_app';

/**
 * Least privilege, and the anchors of the audit record.
 *
 * The migrations run as the owner (DATABASE_URL's user); the api and worker do their work as
 * `duban_app`: NOLOGIN, not a superuser, cannot bypass row security, may not create objects in
 * the schema, owns nothing. It may read and write the ordinary tables, but only read and append
 * to `audit_events` and `audit_anchors`: no UPDATE, DELETE or TRUNCATE, and it cannot ALTER the
 * table or switch its triggers off (`session_replication_role` is superuser-only).
 *
 * Roles are cluster-wide and many databases (tests clone theirs from one template) share one
 * cluster, so the role is created only when missing, tolerating a concurrent creator. Grants
 * and default privileges are per database.
 *
 * ALTER DEFAULT PRIVILEGES makes every table or sequence a LATER migration creates (as the same
 * owner) readable and writable by duban_app too; a later append-only table must REVOKE its
 * UPDATE/DELETE explicitly, as done here for the audit tables.
 */
export class LeastPrivilege1764510000000 implements MigrationInterface {
  name = 'LeastPrivilege1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          BEGIN
            CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
              NOBYPASSRLS;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created by a migration of another database at the same moment
          END;
        END IF;
      END $$`);
    // The owner must be able to SET ROLE to it. A superuser always can; another owner (with
    // CREATEROLE) is made a member. On PostgreSQL 16+ that needs ADMIN on duban_app when
    // another role created it: then a superuser must run `GRANT duban_app TO <owner>` once.
    await q.query(`
      DO $$
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          BEGIN
            EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
          EXCEPTION WHEN insufficient_privilege THEN
            -- already a member (granted by a superuser): nothing to do
            IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN
              RAISE;
            END IF;
          END;
        END IF;
      END $$`);

    await q.query(`
      CREATE TABLE audit_anchors (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        database text NOT NULL,
        stream_count int NOT NULL,
        event_count bigint NOT NULL,
        root text NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL,
        -- every stream's head at that moment: [[stream_id, seq, hash], …] sorted by stream_id
        heads jsonb NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION audit_anchors_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_anchors is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_anchors_no_update_delete BEFORE UPDATE OR DELETE ON audit_anchors
      FOR EACH ROW EXECUTE FUNCTION audit_anchors_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
      FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_append_only()`);

    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(`REVOKE CREATE ON SCHEMA public FROM ${APP_ROLE}`);
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`,
    );
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);
    // The exceptions: the record is read and appended to, never rewritten; the migrations'
    // own bookkeeping is the owner's.
    await q.query(
      `REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_anchors FROM ${APP_ROLE}`,
    );
    await q.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE}`);
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE}`,
    );
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`DROP TABLE audit_anchors`);
    await q.query(`DROP FUNCTION audit_anchors_append_only`);
    // The role stays: other databases of the cluster may still use it.
  }
}
