import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { type DueJob, type DueWorkSource, JOB } from '#duban/scheduling';
import { DeliveryPlanner, PlannedEmail } from './delivery-planner';
import { MAX_CHASES } from './delivery-rules';
import { PROFILE_COLUMNS, ProfileRow, toProfile } from './recipient-profile';
import { DeliverJobData, deliveryLeaseMs, NOTIFICATIONS_QUEUE } from './notifications-queue';
import { returning } from '#duban/persistence';

interface ChasedRow extends ProfileRow {
  id: string;
  user_id: string;
  urgent: boolean;
  chase_count: number;
}

/**
 * Turns due notification work in PostgreSQL into 'deliver' jobs on every sweep:
 * 1. chases (催读): notices needing acknowledgement still unread after DUBAN_ACK_CHASE_HOURS are
 *    re-sent, each chase a delivery of its own under a deterministic key, at most MAX_CHASES;
 * 2. digests: a person's held items whose digest time has come become one digest e-mail;
 * 3. deliveries whose next attempt is due are claimed for a lease and handed out as jobs.
 * Everything is claimed with FOR UPDATE SKIP LOCKED in one transaction, so concurrent sweeps
 * on several workers share the work and never hand out the same item twice.
 */
@Injectable()
export class DeliveryDueSource implements DueWorkSource {
  readonly name = 'notification-deliveries';
  readonly queue = NOTIFICATIONS_QUEUE;

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly planner: DeliveryPlanner,
  ) {}

  claim(now: Date, limit: number): Promise<DueJob<'deliver'>[]> {
    return this.db.transaction(async (m) => {
      await this.startChases(m, now, limit);
      await this.startDigests(m, now, limit);
      return this.claimDeliveries(m, now, limit);
    });
  }

  private async startChases(m: EntityManager, now: Date, limit: number): Promise<void> {
    const next = new Date(now.getTime() + this.config.DUBAN_ACK_CHASE_HOURS * 3_600_000);
    // After downtime a notice is chased once, not once per missed interval.
    const chased: ChasedRow[] = await m.query(
      `WITH due AS (
         SELECT id FROM notifications
          WHERE next_chase_at <= $1 AND read_at IS NULL
          ORDER BY next_chase_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       ),
       chased AS (
         UPDATE notifications n
            SET chase_count = n.chase_count + 1,
                last_chased_at = $1,
                next_chase_at = CASE WHEN n.chase_count + 1 < $3 THEN $4::timestamptz END
           FROM due WHERE n.id = due.id
         RETURNING n.id, n.user_id, n.urgent, n.chase_count
       )
       SELECT c.id, c.user_id, c.urgent, c.chase_count, ${PROFILE_COLUMNS}
         FROM chased c
         JOIN users u ON u.id = c.user_id
         LEFT JOIN notification_settings s ON s.user_id = u.id`,
      [now, limit, MAX_CHASES, next],
    );
    const emails = chased
      .map((c) =>
        this.planner.planEmail(
          c.id,
          toProfile(c.user_id, c),
          { urgent: c.urgent, chase: c.chase_count },
          now,
        ),
      )
      .filter((p): p is PlannedEmail => p !== null);
    // Without e-mail the chase is the inbox row moving up as "chased" (last_chased_at).
    await this.planner.insertEmails(m, emails, now);
  }

  private async startDigests(m: EntityManager, now: Date, limit: number): Promise<void> {
    // Lock per person (a transaction-level advisory lock on their id: the digest is on by
    // default, so many people have no settings row to lock), so two sweeps never split one
    // person's items into two digests.
    const users: { user_id: string }[] = await m.query(
      `SELECT x.user_id FROM (
         SELECT DISTINCT d.user_id FROM deliveries d
          WHERE d.state = 'pending' AND d.digest_id IS NULL AND d.digest_due_at <= $1
          ORDER BY d.user_id
          LIMIT $2) x
        WHERE pg_try_advisory_xact_lock(hashtextextended('duban-digest:' || x.user_id::text, 0))`,
      [now, limit],
    );
    if (users.length === 0) return;
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
      [now, users.map((u) => u.user_id)],
    );
  }

  private async claimDeliveries(
    m: EntityManager,
    now: Date,
    limit: number,
  ): Promise<DueJob<'deliver'>[]> {
    const leaseEnd = new Date(now.getTime() + deliveryLeaseMs(this.config));
    // Re-claiming after a lease ran out clears the send token: whoever held it is gone.
    const claimed = await returning<{ id: string; attempts: number }>(
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
    return claimed.map((c) => ({
      name: JOB.deliver,
      // One id per attempt and claim: a retry is a new job, and so is a re-claim after the
      // lease (the earlier job may have failed for good while the database was away, and BullMQ
      // drops a job whose id it still holds); the send token keeps a repeat from sending twice.
      jobId: `deliver:${c.id}:${c.attempts}:g${leaseEnd.getTime()}`,
      data: { deliveryId: c.id } satisfies DeliverJobData,
    }));
  }
}
