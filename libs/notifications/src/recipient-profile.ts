import type { Channel } from './notification-input';
import type { QuietHours } from './delivery-rules';

/** How a person wants to be reached, as the delivery rules need it. */
export interface RecipientProfile {
  userId: string;
  email: string | null;
  displayName: string;
  channels: readonly Channel[];
  /** Routine e-mails held for one daily digest; on unless the person turned it off. */
  digest: boolean;
  /** Their own digest time 'HH:MM', or null for DUBAN_DIGEST_TIME. */
  digestTime: string | null;
  quietHours: QuietHours | null;
  timeZone: string;
}
