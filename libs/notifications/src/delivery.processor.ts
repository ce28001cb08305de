import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock } from '#duban/domain';
import { EmailChannel, EmailMessage } from './channels/email.channel';
import type { RobotFormat, RobotPayload } from './channels/robot-formats';
import { describe, PermanentDeliveryError, WebhookChannel } from './channels/webhook.channel';
import { DeliveriesRepository, type TakenDelivery } from './deliveries.repository';
import { deliveryLeaseMs } from './notifications-queue';
import { attemptResult } from './delivery-rules';
import { NotificationsRepository } from './notifications.repository';
import { OrgWebhooksRepository } from './org-webhooks.repository';
import { RecipientsRepository } from './recipients.repository';
import { renderDigest } from './templates';

/** What one run of the 'deliver' job did. */
export type DeliveryOutcome = 'sent' | 'retry' | 'dead' | 'cancelled' | 'skipped';

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
    private readonly deliveries: DeliveriesRepository,
    private readonly notifications: NotificationsRepository,
    private readonly recipients: RecipientsRepository,
    private readonly orgWebhooks: OrgWebhooksRepository,
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const token = randomUUID();
    const startedAt = this.clock.now();
    const delivery = await this.deliveries.take(
      this.db.manager,
      deliveryId,
      token,
      new Date(startedAt.getTime() + deliveryLeaseMs(this.config)),
      startedAt,
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

  private async compose(d: TakenDelivery): Promise<Composed> {
    const m = this.db.manager;
    if (d.channel === 'webhook') {
      const hook = await this.orgWebhooks.target(m, d.orgId);
      if (!hook) {
        throw new PermanentDeliveryError('the organisation no longer has a webhook configured');
      }
      return { channel: 'webhook', ...hook, payload: d.payload as RobotPayload };
    }

    const person = d.userId ? (await this.recipients.profile(m, d.userId))?.profile : null;
    if (!person?.email) throw new PermanentDeliveryError('the recipient has no e-mail address');
    const greeting = `${person.displayName}同志：`;

    if (d.isDigest) {
      const items = await this.deliveries.digestItems(m, d.id);
      if (items.length === 0) return { channel: 'none', reason: 'the digest has no items' };
      const digest = renderDigest(items, person.timeZone);
      return this.mail(d, person.email, digest.subject, `${greeting}\n\n${digest.text}`);
    }

    const notice = await this.notifications.forMail(m, d.notificationId);
    if (!notice) throw new PermanentDeliveryError('the notice no longer exists');
    if (d.chase > 0 && notice.readAt !== null) {
      return { channel: 'none', reason: 'the notice was read before the chase went out' };
    }
    const chased =
      d.chase > 0 ? `此通知需要您阅知确认，目前尚未确认（第${d.chase}次提醒）。\n\n` : '';
    const delegated = notice.viaName
      ? `\n\n（${notice.viaName}请假期间委托您代为接收此通知。）`
      : '';
    const subject = d.chase > 0 ? `【再次提醒】${notice.title}` : notice.title;
    return this.mail(
      d,
      person.email,
      subject,
      `${greeting}\n\n${chased}${notice.body}${delegated}`,
    );
  }

  private mail(d: TakenDelivery, to: string, subject: string, text: string): Composed {
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

  private async cancel(d: TakenDelivery, token: string, reason: string): Promise<DeliveryOutcome> {
    await this.db.transaction(async (m) => {
      await this.deliveries.cancel(m, d.id, token, reason);
      await this.deliveries.cancelDigestItems(m, d.id);
    });
    this.logger.log(`delivery ${d.id} cancelled: ${reason}`);
    return 'cancelled';
  }

  private async record(
    d: TakenDelivery,
    token: string,
    error: string | null,
    permanent: boolean,
  ): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const result = attemptResult(d.attempts, error === null ? null : { permanent }, now);
    return this.db.transaction(async (m) => {
      const recorded = await this.deliveries.recordOutcome(m, d.id, token, {
        state: result.state,
        attempt: result.attempt,
        error,
        nextAttemptAt: result.nextAttemptAt,
        at: now,
      });
      if (!recorded) {
        // Our lease ran out and another run took the delivery over; it records its own attempt.
        this.logger.warn(`delivery ${d.id}: lease lost before the outcome was recorded`);
        return 'skipped';
      }
      await this.deliveries.insertAttempt(m, d.id, {
        attempt: result.attempt,
        at: now,
        outcome: error === null ? 'sent' : 'failed',
        error,
      });
      if (d.isDigest && result.state !== 'pending') {
        // The items travel with their digest: sent or dead together.
        await this.deliveries.settleDigestItems(m, d.id, result.state, now);
      }
      if (result.outcome === 'dead') this.logger.warn(`delivery ${d.id} is dead: ${error}`);
      return result.outcome;
    });
  }
}
