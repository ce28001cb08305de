import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature';

/** What an org's robot speaks: Duban's signed JSON, or a DingTalk / WeCom group robot's markdown. */
export const ROBOT_FORMATS = ['duban', 'dingtalk', 'wecom'] as const;
export type RobotFormat = (typeof ROBOT_FORMATS)[number];

/** The stored payload of a webhook delivery (NotificationsService writes it). */
export interface RobotPayload {
  duban?: { title?: string; body?: string };
  [key: string]: unknown;
}

export interface RobotRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * DingTalk's 加签: `sign` = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), with
 * `timestamp` in milliseconds; both go into the query string, the sign URL-encoded.
 */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** Markdown text: the title as a heading, each line of the body its own paragraph. */
function markdown(title: string, body: string): string {
  const lines = body.split('\n').filter((l) => l.trim() !== '');
  return [`### ${title}`, ...lines].join('\n\n');
}

/**
 * The HTTP request to make for one delivery, by the robot's format:
 * - `duban`: the payload as JSON, signed in X-Duban-Timestamp / X-Duban-Signature;
 * - `dingtalk`: `{msgtype: "markdown", markdown: {title, text}}`, signed in the URL's query
 *   (`timestamp`, `sign`) as DingTalk documents for robots with 加签;
 * - `wecom`: `{msgtype: "markdown", markdown: {content}}` to the URL with its `key` (WeCom's
 *   robots are authenticated by that key alone).
 */
export function robotRequest(
  format: RobotFormat,
  url: string,
  secret: string | null,
  payload: RobotPayload,
  nowMs: number,
): RobotRequest {
  const title = payload.duban?.title ?? '督办';
  const text = payload.duban?.body ?? '';
  const json = { 'content-type': 'application/json; charset=utf-8' };
  if (format === 'dingtalk') {
    const signed = secret
      ? withQuery(url, { timestamp: String(nowMs), sign: dingTalkSign(secret, nowMs) })
      : url;
    return {
      url: signed,
      body: JSON.stringify({
        msgtype: 'markdown',
        markdown: { title, text: markdown(title, text) },
      }),
      headers: json,
    };
  }
  if (format === 'wecom') {
    return {
      url,
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: markdown(title, text) } }),
      headers: json,
    };
  }
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    url,
    body,
    headers: {
      ...json,
      [TIMESTAMP_HEADER]: timestamp,
      ...(secret ? { [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body) } : {}),
    },
  };
}
