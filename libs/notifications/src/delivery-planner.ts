import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { EmailChannel } from './channels/email.channel';
import { nextDigestAt, sendableAt } from './delivery-rules';
import type { RecipientProfile } from './recipient-profile';

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

export interface PlannedWebhook {
  dedupeKey: string;
  orgId: string;
  payload: Record<string, unknown>;
}

/** The one webhook post per org, kind and notice key, whoever and however many were told. */
export const webhookDedupeKey = (orgId: string, kind: string, dedupeKey: string) =>
  `webhook:${orgId}:${kind}:${dedupeKey}`;

/**
 * Decides which outgoing messages a new notice (or a chase) makes, and when they may go out,
 * and writes them as pending deliveries in the caller's transaction, set-based.
 */
@Injectable()
export class DeliveryPlanner {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly email: EmailChannel,
  ) {}

  planEmail(
    notificationId: string,
    profile: RecipientProfile,
    options: { urgent: boolean; chase: number },
    now: Date,
  ): PlannedEmail | null {
    // E-mail is off without SMTP_URL: planning messages nobody can send would only dead-letter them.
    if (!this.email.enabled || !profile.email || !profile.channels.includes('email')) return null;
    const base = {
      dedupeKey:
        options.chase === 0
          ? `email:${notificationId}`
          : `email:${notificationId}:chase:${options.chase}`,
      notificationId,
      userId: profile.userId,
      chase: options.chase,
    };
    if (options.urgent) return { ...base, nextAttemptAt: now, digestDueAt: null };
    // A chase exists to interrupt; holding it for tomorrow's digest would defeat it.
    if (profile.digest && options.chase === 0) {
      const due = nextDigestAt(
        now,
        profile.digestTime ?? this.config.DUBAN_DIGEST_TIME,
        profile.quietHours,
        profile.timeZone,
      );
      return { ...base, nextAttemptAt: null, digestDueAt: due };
    }
    return {
      ...base,
      nextAttemptAt: sendableAt(now, profile.quietHours, profile.timeZone),
      digestDueAt: null,
    };
  }

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
   * Org-level events (escalation steps, cases opened and decided, 通报 issued) go to the robot
   * of the event's org and of every org above it, whoever opted in: one post per robot and
   * event (`webhook:<robot org>:<kind>:<key>`, the same key as the opted-in path, so a robot
   * never gets an event twice).
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
}
