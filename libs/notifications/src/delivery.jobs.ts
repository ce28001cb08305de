import { Injectable } from '@nestjs/common';
import { JOB, type JobPayloads, OnJob } from '#duban/scheduling';
import { DeliveryOutcome, DeliveryProcessor } from './delivery.processor';
import { NOTIFICATIONS_QUEUE } from './notifications-queue';

/** The notifications queue's one job: send one delivery (claimed by DeliveryDueSource). */
@Injectable()
export class DeliveryJobs {
  constructor(private readonly deliveries: DeliveryProcessor) {}

  @OnJob(JOB.deliver, { queue: NOTIFICATIONS_QUEUE })
  deliver({ deliveryId }: JobPayloads['deliver']): Promise<DeliveryOutcome> {
    return this.deliveries.deliver(deliveryId);
  }
}
