import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The record (全程留痕): an append-only, hash-chained event log. Each stream (one task, one
 * problem…) is its own chain — seq 1, 2, 3… each carrying the hash of the one before — so
 * writers of different tasks never wait for each other, and any altered, removed or inserted
 * row breaks its chain. UPDATE, DELETE and TRUNCATE are refused by triggers.
 */
export class AuditAndLights1763800000000 implements MigrationInterface {
  name = 'AuditAndLights1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_type text NOT NULL,
        stream_id uuid NOT NULL,
        seq int NOT NULL CHECK (seq >= 1),
        at timestamptz NOT NULL,
        actor_id uuid,
        type text NOT NULL,
        from_state text,
        to_state text,
        data jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        UNIQUE (stream_id, seq)
      )`);
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
    // When the blue (near-deadline) window opens, computed with the working-day calendar when
    // the deadline is set, so lists can filter by light in SQL.
    await q.query(`ALTER TABLE tasks ADD COLUMN blue_from timestamptz`);
    await q.query(
      `ALTER TABLE tasks ADD COLUMN quarterly_report_late boolean NOT NULL DEFAULT false`,
    );
    await q.query(`CREATE INDEX tasks_measure_trgm ON tasks USING gin (measure gin_trgm_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_measure_trgm`);
    await q.query(`ALTER TABLE tasks DROP COLUMN quarterly_report_late`);
    await q.query(`ALTER TABLE tasks DROP COLUMN blue_from`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only`);
  }
}
