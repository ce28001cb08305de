import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { type RobotFormat, type RobotPayload, robotRequest } from './robot-formats';

export interface WebhookMessage {
  url: string;
  /** Null only for a WeCom robot (its key is in the URL). */
  secret: string | null;
  /** What the robot speaks (robot-formats.ts). */
  format: RobotFormat;
  /** The stored payload; the body is made from it in the robot's format. */
  payload: RobotPayload;
  /** Milliseconds since the epoch, from the injected clock. */
  nowMs: number;
  deliveryId: string;
}

/** Thrown for a failure that retrying cannot fix (e.g. a URL that is not http or https). */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

const EXCERPT = 200;

/**
 * Posts a message to an org's robot, in its format (Duban's signed JSON, DingTalk or WeCom
 * markdown; see robot-formats.ts). The whole exchange,
 * reading the response included, is bounded by DUBAN_WEBHOOK_TIMEOUT_MS. Redirects are not
 * followed: the signature was made for this URL, and a redirect is a misconfiguration to fix.
 */
@Injectable()
export class WebhookChannel {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(message: WebhookMessage): Promise<void> {
    let url: URL;
    let request: ReturnType<typeof robotRequest>;
    try {
      request = robotRequest(
        message.format,
        message.url,
        message.secret,
        message.payload,
        message.nowMs,
      );
      url = new URL(request.url);
    } catch {
      throw new PermanentDeliveryError(`webhook URL is not a valid URL: ${message.url}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PermanentDeliveryError(`webhook URL must be http or https, got ${url.protocol}`);
    }
    const signal = AbortSignal.timeout(this.config.DUBAN_WEBHOOK_TIMEOUT_MS);
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: {
          ...request.headers,
          'user-agent': 'duban-webhook/1',
          'x-duban-delivery': message.deliveryId,
        },
        body: request.body,
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      if (signal.aborted) {
        throw new Error(`webhook timed out after ${this.config.DUBAN_WEBHOOK_TIMEOUT_MS} ms`, {
          cause: e,
        });
      }
      throw new Error(`webhook request failed: ${describe(e)}`, { cause: e });
    }
    if (status < 200 || status >= 300) {
      throw new Error(`webhook answered HTTP ${status}: ${text.slice(0, EXCERPT)}`);
    }
    // DingTalk and WeCom robots answer 200 with {"errcode": n}; anything but 0 is a refusal.
    const errcode = robotErrorCode(text);
    if (errcode !== undefined && errcode !== 0) {
      throw new Error(`webhook robot refused the message: ${text.slice(0, EXCERPT)}`);
    }
  }
}

function robotErrorCode(text: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'errcode' in parsed) {
      const code = (parsed as { errcode: unknown }).errcode;
      return typeof code === 'number' ? code : undefined;
    }
  } catch {
    // Not JSON: the status code alone decides.
  }
  return undefined;
}

export function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
}
