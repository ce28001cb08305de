export * from './notification-input';
export * from './notifications-queue';
export * from './delivery-rules';
export * from './notifications.service';
export * from './delivery-due.source';
export * from './delivery.processor';
export * from './inbox.service';
export * from './settings.service';
export * from './delegations.service';
export * from './org-webhooks.service';
export * from './delivery-log.service';
export * from './notifications.repository';
export * from './deliveries.repository';
export * from './recipients.repository';
export * from './org-webhooks.repository';
export type { RecipientProfile } from './recipient-profile';
export { renderNotice, renderDigest, type RenderedNotice, type DigestItem } from './templates';
export {
  signWebhook,
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from './channels/webhook-signature';
export * from './notifications.module';
export * from './channels/robot-formats';
