import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Duban-Timestamp';
export const SIGNATURE_HEADER = 'X-Duban-Signature';

/**
 * The signature a robot (or any receiver) checks: `sha256=<hex HMAC-SHA256(secret,
 * timestamp + '.' + body)>`. The timestamp is inside the signed text so a captured request
 * cannot be replayed later with a fresh timestamp; receivers should also refuse old ones.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Constant-time check of a received signature header. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
