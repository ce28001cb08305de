import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token revocation and per-org calendars.
 *
 * - `users.token_generation`: every bearer token carries the generation it was issued under;
 *   disabling a user or setting their password bumps it, so every token issued before stops at
 *   once. The auth guard already reads the user row on every request, so this costs nothing.
 * - `revoked_tokens`: single tokens revoked by logout, kept until they would have expired anyway.
 *   In PostgreSQL rather than Redis so that revocation holds on every api instance and does not
 *   depend on Redis being up.
 * - `org_calendar_overrides`: an organisation's own holidays and adjusted working days (e.g. a
 *   民族自治地方's), applying to its subtree on top of the national calendar.
 */
export class SessionsAndOrgCalendars1764520000000 implements MigrationInterface {
  name = 'SessionsAndOrgCalendars1764520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN token_generation integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE revoked_tokens (
        jti uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at)`);
    await q.query(`
      CREATE TABLE org_calendar_overrides (
        org_id uuid NOT NULL REFERENCES orgs (id),
        date date NOT NULL,
        kind text NOT NULL CHECK (kind IN ('workday', 'holiday')),
        note text,
        updated_by uuid REFERENCES users (id),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, date)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE org_calendar_overrides`);
    await q.query(`DROP TABLE revoked_tokens`);
    await q.query(`ALTER TABLE users DROP COLUMN token_generation`);
  }
}
