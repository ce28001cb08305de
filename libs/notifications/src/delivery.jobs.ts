import { Injectable } from '@nestjs/common';
import { JOB, type JobPayloads, OnJob } from '#duban/scheduling';
import { DeliveryOutcome, DeliveryProcessor } from './delivery.processor';
import { NOTIFICATIONS_QUEUE } from './notifications-queue';

/** The notifications queue's one job: send one delivery (claimed by DeliveryDueSource). */
@Injectable()
export class DeliveryJobs {
  constructor(private readonly deliveries: DeliveryProcessor) {}

  // Deliveries retry on PostgreSQL's schedule (backoff, dead letter), not BullMQ's: an error
  // other than an outage fails the job at once.
  @OnJob(JOB.deliver, { queue: NOTIFICATIONS_QUEUE, attemptsOnError: 1 })
  deliver({ deliveryId }: JobPayloads['deliver']): Promise<DeliveryOutcome> {
    return this.deliveries.deliver(deliveryId);
  }
}
