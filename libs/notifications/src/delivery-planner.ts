import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { EmailChannel } from './channels/email.channel';
import { nextDigestAt, sendableAt } from './delivery-rules';
import {
  DeliveriesRepository,
  type PlannedEmail,
  type PlannedWebhook,
} from './deliveries.repository';
import type { RecipientProfile } from './recipient-profile';

/** A new notice, or one of its chases, that may make an e-mail. */
export interface EmailNotice {
  notificationId: string;
  profile: RecipientProfile;
  urgent: boolean;
  /** 0 for the notice itself, n for its n-th chase. */
  chase: number;
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
    private readonly deliveries: DeliveriesRepository,
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

  /** Plans the e-mail of each notice or chase and writes those there are, in one statement. */
  async addEmails(m: EntityManager, notices: readonly EmailNotice[], now: Date): Promise<void> {
    const planned = notices
      .map((n) =>
        this.planEmail(n.notificationId, n.profile, { urgent: n.urgent, chase: n.chase }, now),
      )
      .filter((p): p is PlannedEmail => p !== null);
    await this.deliveries.insertEmails(m, planned, now);
  }

  /**
   * Posts for the robots of the orgs of people who opted in to the webhook channel: one per
   * org, kind and notice key (see webhookDedupeKey). Orgs without a robot get none.
   */
  async addWebhooks(
    m: EntityManager,
    planned: readonly PlannedWebhook[],
    now: Date,
  ): Promise<void> {
    await this.deliveries.insertWebhooks(m, planned, now);
  }

  /**
   * Org-level events (escalation steps, cases opened and decided, 通报 issued) go to the robot
   * of the event's org and of every org above it, whoever opted in: one post per robot and
   * event (`webhook:<robot org>:<kind>:<key>`, the same key as the opted-in path, so a robot
   * never gets an event twice). Each planned key is the part after `webhook:<robot org>:`.
   */
  async addOrgEventWebhooks(
    m: EntityManager,
    planned: readonly PlannedWebhook[],
    now: Date,
  ): Promise<void> {
    await this.deliveries.insertSubtreeWebhooks(m, planned, now);
  }
}
