import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import {
  DeliveryPlanner,
  PlannedEmail,
  PlannedWebhook,
  webhookDedupeKey,
} from './delivery-planner';
import { checkNotificationInput, type NotificationInput, taskIdsOf } from './notification-input';
import { PROFILE_COLUMNS, ProfileRow, timeZoneSql, toProfile } from './recipient-profile';
import { renderNotice, type RenderedNotice } from './templates';

interface InsertedRow extends ProfileRow {
  id: string;
  user_id: string;
  dedupe_key: string;
  via_delegation_from: string | null;
}

/**
 * Inserts the inbox rows of a batch of notices in one statement: recipients who are active,
 * plus the deputies of those whose absence delegation (请假委托) covers today in their zone and
 * who may see every task the notice is about (a role in its responsible org or above it; the
 * delegation was checked when made, but roles change and people hold several).
 * A person gets a given dedupe key once: directly if they are a recipient, otherwise as the
 * deputy of the first principal; rows that exist already are left alone (ON CONFLICT).
 */
const INSERT_NOTICES = `
WITH input AS MATERIALIZED (
  SELECT * FROM json_to_recordset($3::json)
    AS i(idx int, kind text, title text, body text, data jsonb, dedupe_key text, urgent boolean,
         requires_ack boolean, task_ids jsonb)
),
direct AS (
  SELECT r.idx, r.user_id
    FROM unnest($4::int[], $5::uuid[]) AS r(idx, user_id)
    JOIN users u ON u.id = r.user_id AND u.active
),
deputies AS (
  SELECT d.idx, dl.deputy_id AS user_id, d.user_id AS via
    FROM direct d
    JOIN input i ON i.idx = d.idx
    JOIN delegations dl ON dl.user_id = d.user_id
    JOIN users deputy ON deputy.id = dl.deputy_id AND deputy.active
    LEFT JOIN notification_settings ps ON ps.user_id = d.user_id
   WHERE ($1::timestamptz AT TIME ZONE ${timeZoneSql('d.user_id', 'ps')})::date
         BETWEEN dl.starts_on AND dl.ends_on
     AND (deputy.system_admin OR NOT EXISTS (
           SELECT 1 FROM jsonb_array_elements_text(i.task_ids) AS tid(id)
             JOIN tasks t ON t.id = tid.id::uuid
            WHERE NOT EXISTS (
                  SELECT 1 FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
                   WHERE ra.user_id = dl.deputy_id AND ra.revoked_at IS NULL
                     AND t.responsible_org_path <@ o.path)))
),
chosen AS (
  SELECT DISTINCT ON (i.dedupe_key, c.user_id) c.idx, c.user_id, c.via
    FROM (SELECT idx, user_id, NULL::uuid AS via, 0 AS rank FROM direct
          UNION ALL
          SELECT idx, user_id, via, 1 AS rank FROM deputies) c
    JOIN input i ON i.idx = c.idx
   ORDER BY i.dedupe_key, c.user_id, c.rank, c.idx, c.via
),
inserted AS (
  INSERT INTO notifications (id, user_id, kind, title, body, data, dedupe_key, urgent,
                             requires_ack, created_at, via_delegation_from, next_chase_at)
  SELECT gen_random_uuid(), c.user_id, i.kind, i.title, i.body, i.data, i.dedupe_key, i.urgent,
         i.requires_ack, $1, c.via, CASE WHEN i.requires_ack THEN $2::timestamptz END
    FROM chosen c JOIN input i ON i.idx = c.idx
  ON CONFLICT (user_id, dedupe_key) DO NOTHING
  RETURNING id, user_id, dedupe_key, via_delegation_from
)
SELECT ins.id, ins.user_id, ins.dedupe_key, ins.via_delegation_from, ${PROFILE_COLUMNS}
  FROM inserted ins
  JOIN users u ON u.id = ins.user_id
  LEFT JOIN notification_settings s ON s.user_id = u.id`;

const pairKey = (userId: string, dedupeKey: string) => `${userId}\u0000${dedupeKey}`;

/**
 * The one way anything tells people something. Called by the supervision engine inside its
 * own transaction (outbox pattern): the inbox rows and the pending deliveries commit, or roll
 * back, together with the effect that caused them; the sweep sends the deliveries later.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly planner: DeliveryPlanner,
  ) {}

  /** Notifies `input.userIds` (and their deputies); returns who got a new inbox row now. */
  async notify(manager: EntityManager, input: NotificationInput, now: Date): Promise<string[]> {
    const [notified] = await this.notifyMany(manager, [input], now);
    return notified;
  }

  /**
   * The same for many notices at once (the quarterly fan-out: one notice per person), in a
   * constant number of set-based statements whatever the number of recipients. Returns, for
   * each input in order, the user ids that got a new inbox row.
   */
  async notifyMany(
    manager: EntityManager,
    inputs: readonly NotificationInput[],
    now: Date,
  ): Promise<string[][]> {
    if (inputs.length === 0) return [];
    inputs.forEach(checkNotificationInput);
    const rendered: RenderedNotice[] = inputs.map((i) => renderNotice(i.kind, i.params));

    // Which input a (recipient, key) pair came from; the first one wins, as in the SQL.
    const inputOf = new Map<string, number>();
    const recipientIdx: number[] = [];
    const recipientIds: string[] = [];
    inputs.forEach((input, idx) => {
      for (const userId of new Set(input.userIds)) {
        const key = pairKey(userId, input.dedupeKey);
        if (inputOf.has(key)) continue;
        inputOf.set(key, idx);
        recipientIdx.push(idx);
        recipientIds.push(userId);
      }
    });
    if (recipientIds.length === 0) return inputs.map(() => []);

    const nextChaseAt = new Date(now.getTime() + this.config.DUBAN_ACK_CHASE_HOURS * 3_600_000);
    // One JSON document for the notices: far cheaper to send and parse than text arrays of
    // quoted JSON, which matters at 10^4 notices.
    const notices = JSON.stringify(
      inputs.map((input, idx) => ({
        idx,
        kind: input.kind,
        title: rendered[idx].title,
        body: rendered[idx].body,
        data: input.params,
        dedupe_key: input.dedupeKey,
        urgent: input.urgent ?? false,
        requires_ack: input.requiresAck ?? false,
        task_ids: taskIdsOf(input),
      })),
    );
    const rows: InsertedRow[] = await manager.query(INSERT_NOTICES, [
      now,
      nextChaseAt,
      notices,
      recipientIdx,
      recipientIds,
    ]);

    const notified: string[][] = inputs.map(() => []);
    const emails: PlannedEmail[] = [];
    const webhooks = new Map<string, PlannedWebhook>();
    for (const row of rows) {
      const idx = inputOf.get(pairKey(row.via_delegation_from ?? row.user_id, row.dedupe_key));
      if (idx === undefined) continue;
      const input = inputs[idx];
      notified[idx].push(row.user_id);
      const profile = toProfile(row.user_id, row);
      const email = this.planner.planEmail(
        row.id,
        profile,
        { urgent: input.urgent ?? false, chase: 0 },
        now,
      );
      if (email) emails.push(email);
      if (input.orgId && profile.channels.includes('webhook')) {
        const key = webhookDedupeKey(input.orgId, input.kind, input.dedupeKey);
        if (!webhooks.has(key)) {
          webhooks.set(key, {
            dedupeKey: key,
            orgId: input.orgId,
            payload: webhookPayload(input, rendered[idx], now),
          });
        }
      }
    }
    await this.planner.insertEmails(manager, emails, now);
    await this.planner.insertWebhooks(manager, [...webhooks.values()], now);
    return notified;
  }
}

/**
 * What a robot receives: `msgtype`/`text.content` as DingTalk and WeCom robots read them, and
 * the structured notice under `duban` for receivers that want more than the text.
 */
function webhookPayload(
  input: NotificationInput,
  notice: RenderedNotice,
  now: Date,
): Record<string, unknown> {
  return {
    msgtype: 'text',
    text: { content: `${notice.title}\n${notice.body}` },
    duban: {
      kind: input.kind,
      dedupeKey: input.dedupeKey,
      orgId: input.orgId,
      title: notice.title,
      body: notice.body,
      urgent: input.urgent ?? false,
      data: input.params,
      createdAt: now.toISOString(),
    },
  };
}
