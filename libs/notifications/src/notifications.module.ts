import { Module } from '@nestjs/common';
import { EmailChannel } from './channels/email.channel';
import { WebhookChannel } from './channels/webhook.channel';
import { DelegationsService } from './delegations.service';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryDueSource } from './delivery-due.source';
import { DeliveryLogService } from './delivery-log.service';
import { DeliveryPlanner } from './delivery-planner';
import { DeliveryProcessor } from './delivery.processor';
import { InboxService } from './inbox.service';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { OrgWebhooksRepository } from './org-webhooks.repository';
import { OrgWebhooksService } from './org-webhooks.service';
import { RecipientsRepository } from './recipients.repository';
import { NotificationSettingsService } from './settings.service';
import { DeliveryJobs } from './delivery.jobs';

/**
 * Notifications for api and worker alike. Needs the PlatformModule's globals (DataSource,
 * CLOCK, APP_CONFIG); opens no connection until something is sent.
 */
@Module({
  providers: [
    NotificationsRepository,
    DeliveriesRepository,
    RecipientsRepository,
    OrgWebhooksRepository,
    EmailChannel,
    WebhookChannel,
    DeliveryPlanner,
    NotificationsService,
    DeliveryDueSource,
    DeliveryProcessor,
    DeliveryJobs,
    InboxService,
    NotificationSettingsService,
    DelegationsService,
    OrgWebhooksService,
    DeliveryLogService,
  ],
  exports: [
    NotificationsService,
    DeliveryDueSource,
    DeliveryProcessor,
    InboxService,
    NotificationSettingsService,
    DelegationsService,
    OrgWebhooksService,
    DeliveryLogService,
  ],
})
export class NotificationsModule {}
