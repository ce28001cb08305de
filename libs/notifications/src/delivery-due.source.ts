import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { type DueJob, type DueWorkSource, JOB } from '#duban/scheduling';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryPlanner } from './delivery-planner';
import { MAX_CHASES } from './delivery-rules';
import { DeliverJobData, deliveryLeaseMs, NOTIFICATIONS_QUEUE } from './notifications-queue';
import { NotificationsRepository } from './notifications.repository';

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
    private readonly notifications: NotificationsRepository,
    private readonly deliveries: DeliveriesRepository,
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
    const chased = await this.notifications.startChases(m, now, limit, MAX_CHASES, next);
    // Without e-mail the chase is the inbox row moving up as "chased" (last_chased_at).
    await this.planner.addEmails(
      m,
      chased.map((c) => ({
        notificationId: c.id,
        profile: c.profile,
        urgent: c.urgent,
        chase: c.chaseCount,
      })),
      now,
    );
  }

  private async startDigests(m: EntityManager, now: Date, limit: number): Promise<void> {
    const users = await this.deliveries.lockDigestRecipients(m, now, limit);
    await this.deliveries.gatherDigests(m, users, now);
  }

  private async claimDeliveries(
    m: EntityManager,
    now: Date,
    limit: number,
  ): Promise<DueJob<'deliver'>[]> {
    const leaseEnd = new Date(now.getTime() + deliveryLeaseMs(this.config));
    const claimed = await this.deliveries.claimDue(m, now, leaseEnd, limit);
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
