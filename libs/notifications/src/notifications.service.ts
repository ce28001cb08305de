import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import type { PlannedWebhook } from './deliveries.repository';
import { DeliveryPlanner, type EmailNotice, webhookDedupeKey } from './delivery-planner';
import { COALESCE_WINDOW_MS, coalesceBatch, mergeTaskLists } from './coalesce';
import {
  checkNotificationInput,
  type NotificationInput,
  type NotificationKind,
  taskIdsOf,
} from './notification-input';
import { NotificationsRepository } from './notifications.repository';
import { renderNotice, type RenderedNotice } from './templates';

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
    private readonly notifications: NotificationsRepository,
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
    await this.planner.addOrgEventWebhooks(
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
   * first (coalesceBatch); then each merges into the person's open notice of the same kind
   * and key (unread, recent, nothing of it mailed yet: NotificationsRepository.openForMerge)
   * or becomes a new one.
   */
  private async coalesce(
    manager: EntityManager,
    inputs: readonly NotificationInput[],
    result: string[][],
    now: Date,
  ): Promise<void> {
    const list = coalesceBatch(inputs);
    if (list.length === 0) return;
    const open = await this.notifications.openForMerge(
      manager,
      list.map((g) => ({
        userId: g.input.userIds[0],
        kind: g.input.kind,
        coalesceKey: g.coalesceKey,
      })),
      new Date(now.getTime() - COALESCE_WINDOW_MS),
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
      await this.notifications.updateMerged(manager, updates);
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
    const recipients: { idx: number; userId: string }[] = [];
    inputs.forEach((input, idx) => {
      for (const userId of new Set(input.userIds)) {
        const key = pairKey(userId, input.dedupeKey);
        if (inputOf.has(key)) continue;
        inputOf.set(key, idx);
        recipients.push({ idx, userId });
      }
    });
    if (recipients.length === 0) return inputs.map(() => []);

    const nextChaseAt = new Date(now.getTime() + this.config.DUBAN_ACK_CHASE_HOURS * 3_600_000);
    const rows = await this.notifications.insertNotices(
      manager,
      inputs.map((input, idx) => ({
        idx,
        kind: input.kind,
        title: rendered[idx].title,
        body: rendered[idx].body,
        data: input.params,
        dedupeKey: input.dedupeKey,
        urgent: input.urgent ?? false,
        requiresAck: input.requiresAck ?? false,
        taskIds: taskIdsOf(input),
        coalesceKey: input.coalesceKey ?? null,
      })),
      recipients,
      now,
      nextChaseAt,
    );

    const notified: string[][] = inputs.map(() => []);
    const emails: EmailNotice[] = [];
    const webhooks = new Map<string, PlannedWebhook>();
    for (const row of rows) {
      const idx = inputOf.get(pairKey(row.viaDelegationFrom ?? row.userId, row.dedupeKey));
      if (idx === undefined) continue;
      const input = inputs[idx];
      notified[idx].push(row.userId);
      emails.push({
        notificationId: row.id,
        profile: row.profile,
        urgent: input.urgent ?? false,
        chase: 0,
      });
      if (input.orgId && row.profile.channels.includes('webhook')) {
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
    await this.planner.addEmails(manager, emails, now);
    await this.planner.addWebhooks(manager, [...webhooks.values()], now);
    return notified;
  }

  /**
   * An org-level event for the robots only (no person is notified by it here): a case decided,
   * a 通报 issued… Posted to the robot of `orgId` and of every org above it, once per `kind`
   * and `dedupeKey`. Call it inside the transaction that records the event.
   */
  async postOrgEvent(manager: EntityManager, event: OrgEvent, now: Date): Promise<void> {
    await this.planner.addOrgEventWebhooks(
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
