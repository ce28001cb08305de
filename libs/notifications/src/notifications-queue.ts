import type { AppConfig } from '#duban/config';

/** The queue that carries deliveries (e-mail and webhook alike). */
export const NOTIFICATIONS_QUEUE = 'notifications';

export interface DeliverJobData extends Record<string, unknown> {
  deliveryId: string;
}

/**
 * How long a claimed delivery stays reserved for the job that carries it. Longer than any send
 * can take (every network wait is bounded), so a delivery is only re-claimed when its job was
 * lost (Redis flushed, worker killed), never while a send is still running.
 */
export function deliveryLeaseMs(config: AppConfig): number {
  return 2 * Math.max(config.DUBAN_SMTP_TIMEOUT_MS, config.DUBAN_WEBHOOK_TIMEOUT_MS) + 60_000;
}
