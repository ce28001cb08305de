import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import {
  DeliveryPlanner,
  PlannedEmail,
  PlannedWebhook,
  webhookDedupeKey,
} from './delivery-planner';
import { COALESCE_WINDOW_MS, mergeTaskLists } from './coalesce';
import {
  checkNotificationInput,
  type NotificationInput,
  type NotificationKind,
  taskIdsOf,
} from './notification-input';
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
         requires_ack boolean, task_ids jsonb, coalesce_key text)
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
                             requires_ack, created_at, via_delegation_from, next_chase_at,
                             coalesce_key)
  SELECT gen_random_uuid(), c.user_id, i.kind, i.title, i.body, i.data, i.dedupe_key, i.urgent,
         i.requires_ack, $1, c.via, CASE WHEN i.requires_ack THEN $2::timestamptz END,
         i.coalesce_key
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
 * The unread notice a coalescing notice merges into: same person, kind and coalesce key,
 * created within the window, and none of its deliveries sent or being sent (the e-mail and
 * the digest read title and body when they go out, so they carry the merged text).
 */
const OPEN_FOR_MERGE = `
SELECT x.idx, n.id, n.data
  FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[]) AS x(idx, user_id, kind, key)
  CROSS JOIN LATERAL (
    SELECT n.id, n.data FROM notifications n
     WHERE n.user_id = x.user_id AND n.kind = x.kind AND n.coalesce_key = x.key
       AND n.read_at IS NULL AND n.created_at > $5
       AND NOT EXISTS (SELECT 1 FROM deliveries d
                        WHERE d.notification_id = n.id
                          AND (d.state <> 'pending' OR d.send_token IS NOT NULL))
     ORDER BY n.created_at DESC, n.id
     LIMIT 1
       FOR UPDATE) n`;

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
    // Org-level events reach the robots of the org and the orgs above it, opted in or not,
    // even when no person is reached (nobody holds the role) or a person's notice was merged.
    await this.planner.insertSubtreeWebhooks(
      manager,
      inputs.flatMap((input) =>
        input.orgId && ORG_EVENT_KINDS.includes(input.kind)
          ? [
              {
                dedupeKey: `${input.kind}:${input.dedupeKey}`,
                orgId: input.orgId,
                payload: webhookPayload(input, renderNotice(input.kind, input.params), now),
              },
            ]
          : [],
      ),
      now,
    );
    const result: string[][] = inputs.map(() => []);
    const plain = inputs.flatMap((input, i) => (input.coalesceKey ? [] : [i]));
    if (plain.length > 0) {
      const out = await this.insertNotices(
        manager,
        plain.map((i) => inputs[i]),
        now,
      );
      plain.forEach((i, k) => result[i].push(...out[k]));
    }
    if (plain.length < inputs.length) await this.coalesce(manager, inputs, result, now);
    return result;
  }

  /**
   * Notices with a coalesce key: one per person, kind and key. Those of the batch are merged
   * first; then each merges into the person's open notice of the same kind and key (see
   * OPEN_FOR_MERGE) or becomes a new one.
   */
  private async coalesce(
    manager: EntityManager,
    inputs: readonly NotificationInput[],
    result: string[][],
    now: Date,
  ): Promise<void> {
    const groups = new Map<string, { input: NotificationInput; sources: number[] }>();
    inputs.forEach((input, i) => {
      if (!input.coalesceKey) return;
      for (const userId of new Set(input.userIds)) {
        const key = [userId, input.kind, input.coalesceKey].join('\u0000');
        const group = groups.get(key);
        if (!group) {
          groups.set(key, {
            input: {
              ...input,
              userIds: [userId],
              params: { ...input.params, tasks: mergeTaskLists([], input.params.tasks) },
              taskIds: undefined,
            },
            sources: [i],
          });
        } else {
          group.input.params.tasks = mergeTaskLists(group.input.params.tasks, input.params.tasks);
          group.sources.push(i);
        }
      }
    });
    const list = [...groups.values()];
    if (list.length === 0) return;
    const open: { idx: number; id: string; data: Record<string, unknown> }[] = await manager.query(
      OPEN_FOR_MERGE,
      [
        list.map((_, i) => i),
        list.map((g) => g.input.userIds[0]),
        list.map((g) => g.input.kind),
        list.map((g) => g.input.coalesceKey),
        new Date(now.getTime() - COALESCE_WINDOW_MS),
      ],
    );
    const merged = new Set<number>();
    const updates = open.map((o) => {
      const g = list[o.idx];
      merged.add(o.idx);
      const data = {
        ...g.input.params,
        tasks: mergeTaskLists(o.data.tasks, g.input.params.tasks),
      };
      const notice = renderNotice(g.input.kind, data);
      return { id: o.id, data, ...notice };
    });
    if (updates.length > 0) {
      await manager.query(
        `UPDATE notifications n SET data = x.data, title = x.title, body = x.body
           FROM json_to_recordset($1::json) AS x(id uuid, data jsonb, title text, body text)
          WHERE n.id = x.id`,
        [JSON.stringify(updates)],
      );
      for (const o of open) {
        for (const i of new Set(list[o.idx].sources)) result[i].push(list[o.idx].input.userIds[0]);
      }
    }
    const fresh = list.flatMap((g, i) => (merged.has(i) ? [] : [g]));
    if (fresh.length === 0) return;
    const out = await this.insertNotices(
      manager,
      fresh.map((g) => g.input),
      now,
    );
    fresh.forEach((g, k) => {
      for (const i of new Set(g.sources)) result[i].push(...out[k]);
    });
  }

  /** Inserts new notices (and their deliveries); returns, per input, who got an inbox row. */
  private async insertNotices(
    manager: EntityManager,
    inputs: readonly NotificationInput[],
    now: Date,
  ): Promise<string[][]> {
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
        coalesce_key: input.coalesceKey ?? null,
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

  /**
   * An org-level event for the robots only (no person is notified by it here): a case decided,
   * a 通报 issued… Posted to the robot of `orgId` and of every org above it, once per `kind`
   * and `dedupeKey`. Call it inside the transaction that records the event.
   */
  async postOrgEvent(manager: EntityManager, event: OrgEvent, now: Date): Promise<void> {
    await this.planner.insertSubtreeWebhooks(
      manager,
      [
        {
          dedupeKey: `${event.kind}:${event.dedupeKey}`,
          orgId: event.orgId,
          payload: {
            msgtype: 'text',
            text: { content: `${event.title}\n${event.body}` },
            duban: {
              kind: event.kind,
              dedupeKey: event.dedupeKey,
              orgId: event.orgId,
              title: event.title,
              body: event.body,
              urgent: false,
              data: event.data,
              createdAt: now.toISOString(),
            },
          },
        },
      ],
      now,
    );
  }
}

/** Notices that are also org-level events: every robot above the org hears of them. */
export const ORG_EVENT_KINDS: readonly NotificationKind[] = ['escalation', 'accountability_opened'];

/** An event posted to org robots only (see postOrgEvent). */
export interface OrgEvent {
  orgId: string;
  /** e.g. `accountability_decided`, `circular_issued`. */
  kind: string;
  dedupeKey: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
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
