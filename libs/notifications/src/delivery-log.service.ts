import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Actor, isAdministrator, forbidden, offsetOf, Page, PageRequest } from '#duban/domain';

export const DELIVERY_STATES = ['pending', 'sent', 'dead', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryAttemptView {
  attempt: number;
  at: string;
  outcome: 'sent' | 'failed';
  error: string | null;
}

export interface DeliveryView {
  id: string;
  channel: 'email' | 'webhook';
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  /** E-mail: the recipient. */
  userId: string | null;
  /** Webhook: whose robot. */
  orgId: string | null;
  notificationId: string | null;
  kind: string | null;
  title: string | null;
  isDigest: boolean;
  /** 0 for the notice itself, n for its n-th chase. */
  chase: number;
  /** Held for the daily digest until then. */
  digestDueAt: string | null;
  log: DeliveryAttemptView[];
}

interface DeliveryRow {
  id: string;
  channel: 'email' | 'webhook';
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  user_id: string | null;
  org_id: string | null;
  notification_id: string | null;
  kind: string | null;
  title: string | null;
  is_digest: boolean;
  chase: number;
  digest_due_at: Date | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * The delivery log for administrators, dead letters first of all. The system administrator
 * sees everything; an org admin sees deliveries to people holding a role in their subtree and
 * posts to robots of orgs in it.
 */
@Injectable()
export class DeliveryLogService {
  constructor(private readonly db: DataSource) {}

  async list(
    actor: Actor,
    filter: { state?: DeliveryState; channel?: 'email' | 'webhook' },
    page: PageRequest,
  ): Promise<Page<DeliveryView>> {
    if (!isAdministrator(actor)) {
      throw forbidden('查看投递记录须有管理员角色 — the delivery log needs the admin role');
    }
    const params: unknown[] = [actor.userId, actor.systemAdmin];
    const where = [
      `($2::boolean OR EXISTS (
         SELECT 1 FROM role_assignments adm JOIN orgs ao ON ao.id = adm.org_id
          WHERE adm.user_id = $1 AND adm.role = 'admin' AND adm.revoked_at IS NULL AND (
            EXISTS (SELECT 1 FROM orgs wo WHERE wo.id = d.org_id AND wo.path <@ ao.path)
            OR EXISTS (SELECT 1 FROM role_assignments ur JOIN orgs uo ON uo.id = ur.org_id
                        WHERE ur.user_id = d.user_id AND ur.revoked_at IS NULL
                          AND uo.path <@ ao.path))))`,
    ];
    if (filter.state) {
      params.push(filter.state);
      where.push(`d.state = $${params.length}`);
    }
    if (filter.channel) {
      params.push(filter.channel);
      where.push(`d.channel = $${params.length}`);
    }
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT d.id, d.channel, d.state, d.attempts, d.next_attempt_at, d.last_error, d.created_at,
              d.sent_at, d.user_id, d.org_id, d.notification_id, d.is_digest, d.chase,
              d.digest_due_at,
              coalesce(n.kind, d.payload #>> '{duban,kind}') AS kind,
              coalesce(n.title, d.payload #>> '{duban,title}') AS title
         FROM deliveries d LEFT JOIN notifications n ON n.id = d.notification_id
        WHERE ${where.join(' AND ')}
        ORDER BY d.created_at DESC, d.id DESC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.pageSize, offsetOf(page)],
    );
    const count: { n: string }[] = await this.db.query(
      `SELECT count(*) AS n FROM deliveries d WHERE ${where.join(' AND ')}`,
      params,
    );
    const attempts: {
      delivery_id: string;
      attempt: number;
      at: Date;
      outcome: 'sent' | 'failed';
      error: string | null;
    }[] = rows.length
      ? await this.db.query(
          `SELECT delivery_id, attempt, at, outcome, error FROM delivery_attempts
            WHERE delivery_id = ANY ($1::uuid[]) ORDER BY delivery_id, attempt`,
          [rows.map((r) => r.id)],
        )
      : [];
    const logOf = new Map<string, DeliveryAttemptView[]>();
    for (const a of attempts) {
      const log = logOf.get(a.delivery_id) ?? [];
      log.push({ attempt: a.attempt, at: a.at.toISOString(), outcome: a.outcome, error: a.error });
      logOf.set(a.delivery_id, log);
    }
    return {
      items: rows.map((r) => ({
        id: r.id,
        channel: r.channel,
        state: r.state,
        attempts: r.attempts,
        nextAttemptAt: r.state === 'pending' ? iso(r.next_attempt_at) : null,
        lastError: r.last_error,
        createdAt: r.created_at.toISOString(),
        sentAt: iso(r.sent_at),
        userId: r.user_id,
        orgId: r.org_id,
        notificationId: r.notification_id,
        kind: r.kind,
        title: r.title,
        isDigest: r.is_digest,
        chase: r.chase,
        digestDueAt: iso(r.digest_due_at),
        log: logOf.get(r.id) ?? [],
      })),
      total: Number(count[0].n),
      page: page.page,
      pageSize: page.pageSize,
    };
  }
}
