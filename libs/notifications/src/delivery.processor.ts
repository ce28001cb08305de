import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';
import { EmailChannel, EmailMessage } from './channels/email.channel';
import type { RobotFormat, RobotPayload } from './channels/robot-formats';
import { describe, PermanentDeliveryError, WebhookChannel } from './channels/webhook.channel';
import { deliveryLeaseMs } from './notifications-queue';
import { MAX_DELIVERY_ATTEMPTS, retryBackoffMs } from './delivery-rules';
import { PROFILE_COLUMNS, ProfileRow, toProfile } from './recipient-profile';
import { returning } from '#duban/persistence';
import { renderDigest } from './templates';

/** What one run of the 'deliver' job did. */
export type DeliveryOutcome = 'sent' | 'retry' | 'dead' | 'cancelled' | 'skipped';

interface DeliveryRow {
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

interface NoticeRow {
  title: string;
  body: string;
  read_at: Date | null;
  via_name: string | null;
}

type Composed =
  | { channel: 'email'; message: EmailMessage }
  | {
      channel: 'webhook';
      url: string;
      secret: string | null;
      format: RobotFormat;
      payload: RobotPayload;
    }
  | { channel: 'none'; reason: string };

const FOOTER = '—— 督办系统（本邮件由系统自动发送，请勿直接回复）';

/**
 * Sends one delivery: the handler of the 'deliver' job on the notifications queue.
 *
 * 1. Take the delivery (one UPDATE): only while it is pending and due, and nobody else holds
 *    its send token; a duplicate or stale job finds nothing to do.
 * 2. Send, outside any transaction, with every network wait bounded.
 * 3. Record the outcome in one transaction: the attempt log, and sent / retry later with
 *    exponential backoff / dead after MAX_DELIVERY_ATTEMPTS (dead-letter, visible to admins).
 *
 * At-least-once, not exactly-once, for the network step: when the SMTP server (or a robot)
 * accepted a message but this process died, or lost its database connection, before step 3
 * committed, the lease runs out and the delivery is sent again. No protocol lets us commit
 * with the server, so the window is made small (step 3 right after the reply) and the repeat
 * recognisable: every attempt of a delivery carries the same Message-ID (and the webhook the
 * same X-Duban-Delivery header), which mail clients and receivers use to drop duplicates.
 */
@Injectable()
export class DeliveryProcessor {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly email: EmailChannel,
    private readonly webhook: WebhookChannel,
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const token = randomUUID();
    const startedAt = this.clock.now();
    const [delivery] = await returning<DeliveryRow>(
      this.db,
      `UPDATE deliveries
          SET send_token = $2, claimed_until = $3
        WHERE id = $1 AND state = 'pending' AND next_attempt_at <= $4
          AND (send_token IS NULL OR claimed_until IS NULL OR claimed_until <= $4)
        RETURNING id, channel, notification_id, user_id, org_id, payload, is_digest, chase,
                  attempts`,
      [deliveryId, token, new Date(startedAt.getTime() + deliveryLeaseMs(this.config)), startedAt],
    );
    if (!delivery) return 'skipped';

    let error: string | null = null;
    let permanent = false;
    let composed: Composed | undefined;
    try {
      composed = await this.compose(delivery);
      if (composed.channel === 'email') await this.email.send(composed.message);
      else if (composed.channel === 'webhook') {
        await this.webhook.send({
          url: composed.url,
          secret: composed.secret,
          format: composed.format,
          payload: composed.payload,
          nowMs: this.clock.now().getTime(),
          deliveryId: delivery.id,
        });
      }
    } catch (e) {
      error = describe(e);
      permanent = e instanceof PermanentDeliveryError;
    }
    if (composed?.channel === 'none') return this.cancel(delivery, token, composed.reason);
    return this.record(delivery, token, error, permanent);
  }

  private async compose(d: DeliveryRow): Promise<Composed> {
    if (d.channel === 'webhook') {
      const hooks: { url: string; secret: string | null; format: RobotFormat }[] =
        await this.db.query('SELECT url, secret, format FROM org_webhooks WHERE org_id = $1', [
          d.org_id,
        ]);
      if (hooks.length === 0) {
        throw new PermanentDeliveryError('the organisation no longer has a webhook configured');
      }
      return { channel: 'webhook', ...hooks[0], payload: d.payload as RobotPayload };
    }

    const people: ProfileRow[] = await this.db.query(
      `SELECT ${PROFILE_COLUMNS} FROM users u
         LEFT JOIN notification_settings s ON s.user_id = u.id
        WHERE u.id = $1`,
      [d.user_id],
    );
    const person = people[0] ? toProfile(d.user_id ?? '', people[0]) : null;
    if (!person?.email) throw new PermanentDeliveryError('the recipient has no e-mail address');
    const greeting = `${person.displayName}同志：`;

    if (d.is_digest) {
      const items: { title: string; body: string; created_at: Date }[] = await this.db.query(
        `SELECT n.title, n.body, n.created_at
           FROM deliveries i JOIN notifications n ON n.id = i.notification_id
          WHERE i.digest_id = $1
          ORDER BY n.created_at, n.id`,
        [d.id],
      );
      if (items.length === 0) return { channel: 'none', reason: 'the digest has no items' };
      const digest = renderDigest(
        items.map((i) => ({ title: i.title, body: i.body, createdAt: i.created_at })),
        person.timeZone,
      );
      return this.mail(d, person.email, digest.subject, `${greeting}\n\n${digest.text}`);
    }

    const notices: NoticeRow[] = await this.db.query(
      `SELECT n.title, n.body, n.read_at, via.display_name AS via_name
         FROM notifications n LEFT JOIN users via ON via.id = n.via_delegation_from
        WHERE n.id = $1`,
      [d.notification_id],
    );
    const notice = notices[0];
    if (!notice) throw new PermanentDeliveryError('the notice no longer exists');
    if (d.chase > 0 && notice.read_at !== null) {
      return { channel: 'none', reason: 'the notice was read before the chase went out' };
    }
    const chased =
      d.chase > 0 ? `此通知需要您阅知确认，目前尚未确认（第${d.chase}次提醒）。\n\n` : '';
    const delegated = notice.via_name
      ? `\n\n（${notice.via_name}请假期间委托您代为接收此通知。）`
      : '';
    const subject = d.chase > 0 ? `【再次提醒】${notice.title}` : notice.title;
    return this.mail(
      d,
      person.email,
      subject,
      `${greeting}\n\n${chased}${notice.body}${delegated}`,
    );
  }

  private mail(d: DeliveryRow, to: string, subject: string, text: string): Composed {
    return {
      channel: 'email',
      message: {
        to,
        subject,
        text: `${text}\n\n${FOOTER}\n`,
        messageId: this.email.messageIdFor(d.id),
        deliveryId: d.id,
      },
    };
  }

  private async cancel(d: DeliveryRow, token: string, reason: string): Promise<DeliveryOutcome> {
    await this.db.transaction(async (m) => {
      await m.query(
        `UPDATE deliveries SET state = 'cancelled', last_error = $3, send_token = NULL,
                claimed_until = NULL
          WHERE id = $1 AND send_token = $2`,
        [d.id, token, reason],
      );
      await m.query(`UPDATE deliveries SET state = 'cancelled' WHERE digest_id = $1`, [d.id]);
    });
    this.logger.log(`delivery ${d.id} cancelled: ${reason}`);
    return 'cancelled';
  }

  private async record(
    d: DeliveryRow,
    token: string,
    error: string | null,
    permanent: boolean,
  ): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const attempt = d.attempts + 1;
    const outcome: DeliveryOutcome =
      error === null ? 'sent' : permanent || attempt >= MAX_DELIVERY_ATTEMPTS ? 'dead' : 'retry';
    const state = outcome === 'retry' ? 'pending' : outcome;
    const nextAttemptAt =
      outcome === 'retry' ? new Date(now.getTime() + retryBackoffMs(attempt)) : null;
    return this.db.transaction(async (m) => {
      const updated = await returning<{ id: string }>(
        m,
        `UPDATE deliveries
            SET state = $3, attempts = $4, last_error = $5,
                next_attempt_at = coalesce($6, next_attempt_at),
                sent_at = CASE WHEN $3 = 'sent' THEN $7::timestamptz END,
                send_token = NULL, claimed_until = NULL
          WHERE id = $1 AND send_token = $2 AND state = 'pending'
          RETURNING id`,
        [d.id, token, state, attempt, error, nextAttemptAt, now],
      );
      if (updated.length === 0) {
        // Our lease ran out and another run took the delivery over; it records its own attempt.
        this.logger.warn(`delivery ${d.id}: lease lost before the outcome was recorded`);
        return 'skipped';
      }
      await m.query(
        `INSERT INTO delivery_attempts (delivery_id, attempt, at, outcome, error)
         VALUES ($1, $2, $3, $4, $5)`,
        [d.id, attempt, now, error === null ? 'sent' : 'failed', error],
      );
      if (d.is_digest && state !== 'pending') {
        // The items travel with their digest: sent or dead together.
        await m.query(
          `UPDATE deliveries SET state = $2, sent_at = CASE WHEN $2 = 'sent' THEN $3::timestamptz END
            WHERE digest_id = $1`,
          [d.id, state, now],
        );
      }
      if (outcome === 'dead') this.logger.warn(`delivery ${d.id} is dead: ${error}`);
      return outcome;
    });
  }
}
