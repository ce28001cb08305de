import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Actor, offsetOf, type Page, type PageRequest } from '#duban/domain';
import { returning } from '#duban/persistence';

export const DELIVERY_STATES = ['pending', 'sent', 'dead', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A pending e-mail delivery to write: the notice itself or one of its chases. */
export interface PlannedEmail {
  dedupeKey: string;
  notificationId: string;
  userId: string;
  /** 0 for the notice itself, n for its n-th chase. */
  chase: number;
  /** When it may go out; null while it is held for the digest. */
  nextAttemptAt: Date | null;
  digestDueAt: Date | null;
}

/** A pending post to an organisation's robot. */
export interface PlannedWebhook {
  dedupeKey: string;
  orgId: string;
  payload: Record<string, unknown>;
}

/** A delivery taken for sending (see `take`). */
export interface TakenDelivery {
  id: string;
  channel: 'email' | 'webhook';
  notificationId: string | null;
  userId: string | null;
  orgId: string | null;
  payload: Record<string, unknown> | null;
  isDigest: boolean;
  chase: number;
  attempts: number;
}

/** How one attempt ended, as recorded (see `recordOutcome`). */
export interface DeliveryOutcomeRecord {
  state: DeliveryState;
  attempt: number;
  error: string | null;
  /** Set when it will be retried; otherwise the next attempt time is left as it was. */
  nextAttemptAt: Date | null;
  at: Date;
}

export interface DeliveryAttemptView {
  attempt: number;
  at: string;
  outcome: 'sent' | 'failed';
  error: string | null;
}

export interface DeliveryView {
  id: string;
  channel: 'email' | 'webhook';
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  /** E-mail: the recipient. */
  userId: string | null;
  /** Webhook: whose robot. */
  orgId: string | null;
  notificationId: string | null;
  kind: string | null;
  title: string | null;
  isDigest: boolean;
  /** 0 for the notice itself, n for its n-th chase. */
  chase: number;
  /** Held for the daily digest until then. */
  digestDueAt: string | null;
  log: DeliveryAttemptView[];
}

interface TakenRow {
  id: string;
  channel: 'email' | 'webhook';
  notification_id: string | null;
  user_id: string | null;
  org_id: string | null;
  payload: Record<string, unknown> | null;
  is_digest: boolean;
  chase: number;
  attempts: number;
}

interface LogRow {
  id: string;
  channel: 'email' | 'webhook';
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  user_id: string | null;
  org_id: string | null;
  notification_id: string | null;
  kind: string | null;
  title: string | null;
  is_digest: boolean;
  chase: number;
  digest_due_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: Date;
  outcome: 'sent' | 'failed';
  error: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toView = (r: LogRow, log: DeliveryAttemptView[]): DeliveryView => ({
  id: r.id,
  channel: r.channel,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.state === 'pending' ? iso(r.next_attempt_at) : null,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  sentAt: iso(r.sent_at),
  userId: r.user_id,
  orgId: r.org_id,
  notificationId: r.notification_id,
  kind: r.kind,
  title: r.title,
  isDigest: r.is_digest,
  chase: r.chase,
  digestDueAt: iso(r.digest_due_at),
  log,
});

/**
 * The only writer of `deliveries` (every outgoing e-mail and robot post, pending to sent or
 * dead) and `delivery_attempts` (the log of each try). Callers pass their transaction's
 * EntityManager.
 */
@Injectable()
export class DeliveriesRepository {
  // ── planning: pending deliveries written with the notice that causes them ──

  async insertEmails(m: EntityManager, planned: readonly PlannedEmail[], now: Date): Promise<void> {
    if (planned.length === 0) return;
    await m.query(
      `INSERT INTO deliveries (id, channel, dedupe_key, notification_id, user_id, chase,
                               digest_due_at, state, attempts, next_attempt_at, created_at)
       SELECT gen_random_uuid(), 'email', x.dedupe_key, x.notification_id, x.user_id, x.chase,
              x.digest_due_at, 'pending', 0, x.next_attempt_at, $1
         FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::int[], $6::timestamptz[],
                     $7::timestamptz[])
           AS x(dedupe_key, notification_id, user_id, chase, digest_due_at, next_attempt_at)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        now,
        planned.map((p) => p.dedupeKey),
        planned.map((p) => p.notificationId),
        planned.map((p) => p.userId),
        planned.map((p) => p.chase),
        planned.map((p) => p.digestDueAt?.toISOString() ?? null),
        planned.map((p) => p.nextAttemptAt?.toISOString() ?? null),
      ],
    );
  }

  /** Only orgs that have a robot configured get a post; the rest are dropped in the join. */
  async insertWebhooks(
    m: EntityManager,
    planned: readonly PlannedWebhook[],
    now: Date,
  ): Promise<void> {
    if (planned.length === 0) return;
    await m.query(
      `INSERT INTO deliveries (id, channel, dedupe_key, org_id, payload, state, attempts,
                               next_attempt_at, created_at)
       SELECT gen_random_uuid(), 'webhook', x.dedupe_key, x.org_id, x.payload, 'pending', 0, $1, $1
         FROM unnest($2::text[], $3::uuid[], $4::jsonb[]) AS x(dedupe_key, org_id, payload)
         JOIN org_webhooks w ON w.org_id = x.org_id
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        now,
        planned.map((p) => p.dedupeKey),
        planned.map((p) => p.orgId),
        planned.map((p) => JSON.stringify(p.payload)),
      ],
    );
  }

  /**
   * One post per robot of `orgId` and of every org above it; each planned key is the suffix
   * of `webhook:<robot org>:`.
   */
  async insertSubtreeWebhooks(
    m: EntityManager,
    planned: readonly PlannedWebhook[],
    now: Date,
  ): Promise<void> {
    if (planned.length === 0) return;
    await m.query(
      `INSERT INTO deliveries (id, channel, dedupe_key, org_id, payload, state, attempts,
                               next_attempt_at, created_at)
       SELECT gen_random_uuid(), 'webhook', 'webhook:' || w.org_id || ':' || x.suffix, w.org_id,
              x.payload, 'pending', 0, $1, $1
         FROM unnest($2::text[], $3::uuid[], $4::jsonb[]) AS x(suffix, org_id, payload)
         JOIN orgs eo ON eo.id = x.org_id
         JOIN orgs wo ON eo.path <@ wo.path
         JOIN org_webhooks w ON w.org_id = wo.id
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        now,
        planned.map((p) => p.dedupeKey),
        planned.map((p) => p.orgId),
        planned.map((p) => JSON.stringify(p.payload)),
      ],
    );
  }

  // ── the sweep: digests and claims ──

  /**
   * Up to `limit` people with held items whose digest is due, each locked for this
   * transaction (an advisory lock on their id: the digest is on by default, so many people have
   * no settings row to lock), so two sweeps never split one person's items into two digests.
   */
  async lockDigestRecipients(m: EntityManager, now: Date, limit: number): Promise<string[]> {
    const users: { user_id: string }[] = await m.query(
      `SELECT x.user_id FROM (
         SELECT DISTINCT d.user_id FROM deliveries d
          WHERE d.state = 'pending' AND d.digest_id IS NULL AND d.digest_due_at <= $1
          ORDER BY d.user_id
          LIMIT $2) x
        WHERE pg_try_advisory_xact_lock(hashtextextended('duban-digest:' || x.user_id::text, 0))`,
      [now, limit],
    );
    return users.map((u) => u.user_id);
  }

  /** Gathers each person's due held items under one new digest delivery, sendable now. */
  async gatherDigests(m: EntityManager, userIds: readonly string[], now: Date): Promise<void> {
    if (userIds.length === 0) return;
    await m.query(
      `WITH items AS (
         SELECT d.id, d.user_id FROM deliveries d
          WHERE d.user_id = ANY ($2::uuid[]) AND d.state = 'pending' AND d.digest_id IS NULL
            AND d.digest_due_at <= $1
       ),
       digests AS (
         INSERT INTO deliveries (id, channel, dedupe_key, user_id, is_digest, state, attempts,
                                 next_attempt_at, created_at)
         SELECT gen_random_uuid(), 'email', 'digest:' || user_id || ':' || min(id::text), user_id,
                true, 'pending', 0, $1, $1
           FROM items GROUP BY user_id
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id, user_id
       )
       UPDATE deliveries d SET digest_id = g.id
         FROM items i JOIN digests g ON g.user_id = i.user_id
        WHERE d.id = i.id`,
      [now, userIds],
    );
  }

  /**
   * Claims up to `limit` due deliveries until `leaseEnd` (FOR UPDATE SKIP LOCKED). Re-claiming
   * after a lease ran out clears the send token: whoever held it is gone.
   */
  async claimDue(
    m: EntityManager,
    now: Date,
    leaseEnd: Date,
    limit: number,
  ): Promise<{ id: string; attempts: number }[]> {
    return returning<{ id: string; attempts: number }>(
      m,
      `WITH picked AS (
         SELECT id FROM deliveries
          WHERE state = 'pending' AND next_attempt_at <= $1
            AND (claimed_until IS NULL OR claimed_until <= $1)
          ORDER BY next_attempt_at, id
          LIMIT $3
          FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d SET claimed_until = $2, send_token = NULL
         FROM picked WHERE d.id = picked.id
       RETURNING d.id, d.attempts`,
      [now, leaseEnd, limit],
    );
  }

  // ── sending (DeliveryProcessor) ──

  /**
   * Takes the delivery under `token` until `leaseEnd`, in one UPDATE: only while it is pending
   * and due, and nobody else holds its send token. Null: a duplicate or stale job, nothing to do.
   */
  async take(
    m: EntityManager,
    id: string,
    token: string,
    leaseEnd: Date,
    now: Date,
  ): Promise<TakenDelivery | null> {
    const [r] = await returning<TakenRow>(
      m,
      `UPDATE deliveries
          SET send_token = $2, claimed_until = $3
        WHERE id = $1 AND state = 'pending' AND next_attempt_at <= $4
          AND (send_token IS NULL OR claimed_until IS NULL OR claimed_until <= $4)
        RETURNING id, channel, notification_id, user_id, org_id, payload, is_digest, chase,
                  attempts`,
      [id, token, leaseEnd, now],
    );
    if (!r) return null;
    return {
      id: r.id,
      channel: r.channel,
      notificationId: r.notification_id,
      userId: r.user_id,
      orgId: r.org_id,
      payload: r.payload,
      isDigest: r.is_digest,
      chase: r.chase,
      attempts: r.attempts,
    };
  }

  /** The notices gathered in a digest, oldest first. */
  async digestItems(
    m: EntityManager,
    digestId: string,
  ): Promise<{ title: string; body: string; createdAt: Date }[]> {
    const items: { title: string; body: string; created_at: Date }[] = await m.query(
      `SELECT n.title, n.body, n.created_at
         FROM deliveries i JOIN notifications n ON n.id = i.notification_id
        WHERE i.digest_id = $1
        ORDER BY n.created_at, n.id`,
      [digestId],
    );
    return items.map((i) => ({ title: i.title, body: i.body, createdAt: i.created_at }));
  }

  /** Cancels the delivery held under `token`, with the reason. */
  async cancel(m: EntityManager, id: string, token: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE deliveries SET state = 'cancelled', last_error = $3, send_token = NULL,
              claimed_until = NULL
        WHERE id = $1 AND send_token = $2`,
      [id, token, reason],
    );
  }

  /**
   * Records an attempt's outcome on the delivery held under `token` and releases it. False
   * when the lease was lost (another run took the delivery over) and nothing was recorded.
   */
  async recordOutcome(
    m: EntityManager,
    id: string,
    token: string,
    o: DeliveryOutcomeRecord,
  ): Promise<boolean> {
    const updated = await returning<{ id: string }>(
      m,
      `UPDATE deliveries
          SET state = $3, attempts = $4, last_error = $5,
              next_attempt_at = coalesce($6, next_attempt_at),
              sent_at = CASE WHEN $3 = 'sent' THEN $7::timestamptz END,
              send_token = NULL, claimed_until = NULL
        WHERE id = $1 AND send_token = $2 AND state = 'pending'
        RETURNING id`,
      [id, token, o.state, o.attempt, o.error, o.nextAttemptAt, o.at],
    );
    return updated.length > 0;
  }

  async insertAttempt(
    m: EntityManager,
    deliveryId: string,
    a: { attempt: number; at: Date; outcome: 'sent' | 'failed'; error: string | null },
  ): Promise<void> {
    await m.query(
      `INSERT INTO delivery_attempts (delivery_id, attempt, at, outcome, error)
       VALUES ($1, $2, $3, $4, $5)`,
      [deliveryId, a.attempt, a.at, a.outcome, a.error],
    );
  }

  /** The items of a digest are sent (at `at`) or dead with it. */
  async settleDigestItems(
    m: EntityManager,
    digestId: string,
    state: 'sent' | 'dead',
    at: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE deliveries SET state = $2, sent_at = CASE WHEN $2 = 'sent' THEN $3::timestamptz END
        WHERE digest_id = $1`,
      [digestId, state, at],
    );
  }

  /** The items of a cancelled digest are cancelled with it. */
  async cancelDigestItems(m: EntityManager, digestId: string): Promise<void> {
    await m.query(`UPDATE deliveries SET state = 'cancelled' WHERE digest_id = $1`, [digestId]);
  }

  // ── the delivery log (administrators) ──

  /**
   * The log, newest first. The system administrator sees everything; an org admin sees
   * deliveries to people holding a role in their subtree and posts to robots of orgs in it.
   */
  async log(
    m: EntityManager,
    actor: Actor,
    filter: { state?: DeliveryState; channel?: 'email' | 'webhook' },
    page: PageRequest,
  ): Promise<Page<DeliveryView>> {
    const params: unknown[] = [actor.userId, actor.systemAdmin];
    const where = [
      `($2::boolean OR EXISTS (
         SELECT 1 FROM role_assignments adm JOIN orgs ao ON ao.id = adm.org_id
          WHERE adm.user_id = $1 AND adm.role = 'admin' AND adm.revoked_at IS NULL AND (
            EXISTS (SELECT 1 FROM orgs wo WHERE wo.id = d.org_id AND wo.path <@ ao.path)
            OR EXISTS (SELECT 1 FROM role_assignments ur JOIN orgs uo ON uo.id = ur.org_id
                        WHERE ur.user_id = d.user_id AND ur.revoked_at IS NULL
                          AND uo.path <@ ao.path))))`,
    ];
    if (filter.state) {
      params.push(filter.state);
      where.push(`d.state = $${params.length}`);
    }
    if (filter.channel) {
      params.push(filter.channel);
      where.push(`d.channel = $${params.length}`);
    }
    const rows: LogRow[] = await m.query(
      `SELECT d.id, d.channel, d.state, d.attempts, d.next_attempt_at, d.last_error, d.created_at,
              d.sent_at, d.user_id, d.org_id, d.notification_id, d.is_digest, d.chase,
              d.digest_due_at,
              coalesce(n.kind, d.payload #>> '{duban,kind}') AS kind,
              coalesce(n.title, d.payload #>> '{duban,title}') AS title
         FROM deliveries d LEFT JOIN notifications n ON n.id = d.notification_id
        WHERE ${where.join(' AND ')}
        ORDER BY d.created_at DESC, d.id DESC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.pageSize, offsetOf(page)],
    );
    const count: { n: string }[] = await m.query(
      `SELECT count(*) AS n FROM deliveries d WHERE ${where.join(' AND ')}`,
      params,
    );
    const attempts: AttemptRow[] = rows.length
      ? await m.query(
          `SELECT delivery_id, attempt, at, outcome, error FROM delivery_attempts
            WHERE delivery_id = ANY ($1::uuid[]) ORDER BY delivery_id, attempt`,
          [rows.map((r) => r.id)],
        )
      : [];
    const logOf = new Map<string, DeliveryAttemptView[]>();
    for (const a of attempts) {
      const log = logOf.get(a.delivery_id) ?? [];
      log.push({ attempt: a.attempt, at: a.at.toISOString(), outcome: a.outcome, error: a.error });
      logOf.set(a.delivery_id, log);
    }
    return {
      items: rows.map((r) => toView(r, logOf.get(r.id) ?? [])),
      total: Number(count[0].n),
      page: page.page,
      pageSize: page.pageSize,
    };
  }
}
