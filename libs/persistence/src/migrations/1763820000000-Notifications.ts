import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: the in-app inbox (the record of who was told what, and when they read it),
 * per-user channel settings, absence delegations (请假委托), org robots (webhooks), and the
 * outgoing deliveries with their attempt log.
 *
 * Deliveries are the outbox: the supervision engine writes them in its own transaction, and
 * the sweep turns due rows into queue jobs. Redis only ever holds copies of this state.
 */
export class Notifications1763820000000 implements MigrationInterface {
  name = 'Notifications1763820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id),
        kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 60),
        title text NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        dedupe_key text NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 300),
        urgent boolean NOT NULL DEFAULT false,
        requires_ack boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        read_at timestamptz,
        -- Set on the deputy's copy: whose notice it is (请假委托).
        via_delegation_from uuid REFERENCES users (id),
        -- Chasing (催读) of notices that need acknowledgement: how often, and when next.
        chase_count int NOT NULL DEFAULT 0 CHECK (chase_count >= 0),
        next_chase_at timestamptz,
        last_chased_at timestamptz,
        -- The same notice never reaches a person twice (不重复提醒).
        UNIQUE (user_id, dedupe_key)
      )`);
    await q.query(
      `CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX notifications_unread ON notifications (user_id, created_at DESC, id DESC)
         WHERE read_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX notifications_chase_due ON notifications (next_chase_at)
         WHERE next_chase_at IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE notification_settings (
        user_id uuid PRIMARY KEY REFERENCES users (id),
        channels text[] NOT NULL
          CHECK (channels <@ ARRAY['inbox', 'email', 'webhook'] AND 'inbox' = ANY (channels)),
        digest boolean NOT NULL DEFAULT false,
        quiet_start text CHECK (quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        quiet_end text CHECK (quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        -- NULL: the zone of the person's organisation.
        time_zone text,
        updated_at timestamptz NOT NULL,
        CHECK ((quiet_start IS NULL) = (quiet_end IS NULL)),
        CHECK (quiet_start IS NULL OR quiet_start <> quiet_end)
      )`);

    await q.query(`
      CREATE TABLE delegations (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id),
        deputy_id uuid NOT NULL REFERENCES users (id),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        created_at timestamptz NOT NULL,
        CHECK (ends_on >= starts_on),
        CHECK (user_id <> deputy_id),
        UNIQUE (user_id, deputy_id, starts_on, ends_on)
      )`);
    await q.query(`CREATE INDEX delegations_user ON delegations (user_id, ends_on)`);
    await q.query(`CREATE INDEX delegations_deputy ON delegations (deputy_id)`);

    await q.query(`
      CREATE TABLE org_webhooks (
        org_id uuid PRIMARY KEY REFERENCES orgs (id),
        url text NOT NULL CHECK (url ~ '^https?://'),
        secret text NOT NULL CHECK (length(secret) >= 16),
        updated_by uuid REFERENCES users (id),
        updated_at timestamptz NOT NULL
      )`);

    // One row per message to send on one channel. An e-mail carries one notice
    // (notification_id), or is a digest that carries the items pointing to it (digest_id);
    // a webhook post goes to one org's robot. dedupe_key makes every effect happen once:
    // 'email:<notification>', 'email:<notification>:chase:<n>', 'digest:<user>:<first item>',
    // 'webhook:<org>:<kind>:<notice dedupe key>'.
    await q.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
        dedupe_key text NOT NULL UNIQUE,
        notification_id uuid REFERENCES notifications (id),
        user_id uuid REFERENCES users (id),
        org_id uuid REFERENCES orgs (id),
        payload jsonb,
        is_digest boolean NOT NULL DEFAULT false,
        chase int NOT NULL DEFAULT 0,
        -- Items held for the daily digest: due then, carried by the digest row once claimed.
        digest_due_at timestamptz,
        digest_id uuid REFERENCES deliveries (id),
        -- cancelled: a chase whose notice was read before it went out.
        state text NOT NULL CHECK (state IN ('pending', 'sent', 'dead', 'cancelled')),
        attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz,
        -- The sweep's lease on a claimed row, and the token of the worker sending it now.
        claimed_until timestamptz,
        send_token uuid,
        last_error text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        CHECK ((channel = 'email') = (user_id IS NOT NULL)),
        CHECK ((channel = 'webhook') = (org_id IS NOT NULL AND payload IS NOT NULL)),
        CHECK (is_digest OR channel = 'webhook' OR notification_id IS NOT NULL),
        CHECK (state <> 'pending' OR next_attempt_at IS NOT NULL OR digest_due_at IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending'`,
    );
    await q.query(
      `CREATE INDEX deliveries_digest_due ON deliveries (digest_due_at, user_id)
         WHERE state = 'pending' AND digest_id IS NULL AND digest_due_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX deliveries_digest_items ON deliveries (digest_id) WHERE digest_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX deliveries_notification ON deliveries (notification_id)`);
    await q.query(`CREATE INDEX deliveries_state ON deliveries (state, created_at DESC)`);

    await q.query(`
      CREATE TABLE delivery_attempts (
        delivery_id uuid NOT NULL REFERENCES deliveries (id),
        attempt int NOT NULL CHECK (attempt >= 1),
        at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('sent', 'failed')),
        error text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE delivery_attempts`);
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE org_webhooks`);
    await q.query(`DROP TABLE delegations`);
    await q.query(`DROP TABLE notification_settings`);
    await q.query(`DROP TABLE notifications`);
  }
}
