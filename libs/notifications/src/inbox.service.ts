import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock, notFound, offsetOf, Page, PageRequest } from '#duban/domain';
import { returning } from '#duban/persistence';

/** One notice in a person's inbox. */
export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  urgent: boolean;
  requiresAck: boolean;
  createdAt: string;
  readAt: string | null;
  /** Set when the notice reached you as someone's deputy (请假委托). */
  viaDelegationFrom: string | null;
  /** How often an unacknowledged notice was re-sent (催读). */
  chaseCount: number;
  lastChasedAt: string | null;
}

interface NotificationRow {
  id: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  urgent: boolean;
  requires_ack: boolean;
  created_at: Date;
  read_at: Date | null;
  via_delegation_from: string | null;
  chase_count: number;
  last_chased_at: Date | null;
  dedupe_key: string;
  user_id: string;
}

const COLUMNS = `id, kind, title, body, data, urgent, requires_ack, created_at, read_at,
  via_delegation_from, chase_count, last_chased_at, dedupe_key, user_id`;

const toView = (r: NotificationRow): NotificationView => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  data: r.data,
  urgent: r.urgent,
  requiresAck: r.requires_ack,
  createdAt: r.created_at.toISOString(),
  readAt: r.read_at?.toISOString() ?? null,
  viaDelegationFrom: r.via_delegation_from,
  chaseCount: r.chase_count,
  lastChasedAt: r.last_chased_at?.toISOString() ?? null,
});

export interface ReadAllResult {
  /** Notices marked read now. */
  updated: number;
  /** Unread notices that need acknowledgement one by one, so "read all" left them unread. */
  awaitingAcknowledgement: number;
}

/** A person's own inbox: only ever their rows, whatever id they ask for. */
@Injectable()
export class InboxService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(
    userId: string,
    filter: { unread?: boolean },
    page: PageRequest,
  ): Promise<Page<NotificationView>> {
    const unread = filter.unread === true ? 'AND read_at IS NULL' : '';
    const [rows, count] = await Promise.all([
      this.db.query(
        `SELECT ${COLUMNS} FROM notifications
          WHERE user_id = $1 ${unread}
          ORDER BY created_at DESC, id DESC
          LIMIT $2 OFFSET $3`,
        [userId, page.pageSize, offsetOf(page)],
      ) as Promise<NotificationRow[]>,
      this.db.query(`SELECT count(*) AS n FROM notifications WHERE user_id = $1 ${unread}`, [
        userId,
      ]) as Promise<{ n: string }[]>,
    ]);
    return {
      items: rows.map(toView),
      total: Number(count[0].n),
      page: page.page,
      pageSize: page.pageSize,
    };
  }

  /**
   * Read receipt (已阅). Idempotent: the first reading time stays. Reading a notice also
   * acknowledges it for the chase, together with the other copies of the same notice between
   * a principal and their deputies: whoever of them read it, the others are not chased.
   */
  async markRead(userId: string, id: string): Promise<NotificationView> {
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      const [row] = await returning<NotificationRow>(
        m,
        `UPDATE notifications SET read_at = coalesce(read_at, $3), next_chase_at = NULL
          WHERE id = $1 AND user_id = $2
          RETURNING ${COLUMNS}`,
        [id, userId, now],
      );
      if (!row)
        throw notFound(
          `该通知不存在或不是你的 — notification ${id} does not exist or is not yours`,
        );
      await m.query(
        `UPDATE notifications SET next_chase_at = NULL
          WHERE dedupe_key = $1 AND next_chase_at IS NOT NULL
            AND (user_id = $3 OR via_delegation_from = $2
                 OR ($3::uuid IS NOT NULL AND via_delegation_from = $3))`,
        [row.dedupe_key, row.user_id, row.via_delegation_from],
      );
      return toView(row);
    });
  }

  /**
   * Marks every unread notice read, except those that need acknowledgement: a 督办 notice is
   * acknowledged by opening it, not by sweeping the inbox clean.
   */
  async markAllRead(userId: string): Promise<ReadAllResult> {
    const now = this.clock.now();
    const updated = await returning<{ id: string }>(
      this.db,
      `UPDATE notifications SET read_at = $2
        WHERE user_id = $1 AND read_at IS NULL AND NOT requires_ack
        RETURNING id`,
      [userId, now],
    );
    const waiting: { n: string }[] = await this.db.query(
      `SELECT count(*) AS n FROM notifications
        WHERE user_id = $1 AND read_at IS NULL AND requires_ack`,
      [userId],
    );
    return { updated: updated.length, awaitingAcknowledgement: Number(waiting[0].n) };
  }
}
