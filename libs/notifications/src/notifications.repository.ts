import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { offsetOf, type Page, type PageRequest } from '#duban/domain';
import { returning } from '#duban/persistence';
import type { RecipientProfile } from './recipient-profile';
import { PROFILE_COLUMNS, type ProfileRow, timeZoneSql, toProfile } from './recipients.repository';

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

/** A notice to insert, already rendered; `idx` is its place in the batch. */
export interface NewNotice {
  idx: number;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  dedupeKey: string;
  urgent: boolean;
  requiresAck: boolean;
  /** The tasks a deputy must be entitled to see to get a copy. */
  taskIds: readonly string[];
  coalesceKey: string | null;
}

/** An inbox row just made, with how its owner wants to be reached. */
export interface InsertedNotice {
  id: string;
  userId: string;
  dedupeKey: string;
  /** The absent principal whose deputy got this copy (请假委托), else null. */
  viaDelegationFrom: string | null;
  profile: RecipientProfile;
}

/** A notice just chased (催读): its chase number, and its owner's profile. */
export interface ChasedNotice {
  id: string;
  userId: string;
  urgent: boolean;
  chaseCount: number;
  profile: RecipientProfile;
}

/** What a notice's e-mail says, read when it goes out. */
export interface NoticeForMail {
  title: string;
  body: string;
  readAt: Date | null;
  /** The display name of the principal when this copy went to their deputy. */
  viaName: string | null;
}

/** A notice read (已阅), with what finds its other copies. */
export interface ReadNotice {
  view: NotificationView;
  userId: string;
  dedupeKey: string;
  viaDelegationFrom: string | null;
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

interface InsertedRow extends ProfileRow {
  id: string;
  user_id: string;
  dedupe_key: string;
  via_delegation_from: string | null;
}

interface ChasedRow extends ProfileRow {
  id: string;
  user_id: string;
  urgent: boolean;
  chase_count: number;
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
 * The only writer of `notifications`: the inbox rows of every notice, their merging (减负),
 * chasing (催读) and reading (已阅). Callers pass their transaction's EntityManager.
 */
@Injectable()
export class NotificationsRepository {
  // ── new notices (NotificationsService, in the caller's transaction) ──

  /**
   * Inserts `notices` for the recipients `recipients[k]` of notice `recipients[k].idx` (and
   * their deputies), in one statement; returns the rows made now.
   */
  async insertNotices(
    m: EntityManager,
    notices: readonly NewNotice[],
    recipients: readonly { idx: number; userId: string }[],
    now: Date,
    nextChaseAt: Date,
  ): Promise<InsertedNotice[]> {
    // One JSON document for the notices: far cheaper to send and parse than text arrays of
    // quoted JSON, which matters at 10^4 notices.
    const json = JSON.stringify(
      notices.map((n) => ({
        idx: n.idx,
        kind: n.kind,
        title: n.title,
        body: n.body,
        data: n.data,
        dedupe_key: n.dedupeKey,
        urgent: n.urgent,
        requires_ack: n.requiresAck,
        task_ids: n.taskIds,
        coalesce_key: n.coalesceKey,
      })),
    );
    const rows: InsertedRow[] = await m.query(INSERT_NOTICES, [
      now,
      nextChaseAt,
      json,
      recipients.map((r) => r.idx),
      recipients.map((r) => r.userId),
    ]);
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      dedupeKey: r.dedupe_key,
      viaDelegationFrom: r.via_delegation_from,
      profile: toProfile(r.user_id, r),
    }));
  }

  /**
   * For each key, the person's open notice it merges into (see OPEN_FOR_MERGE), locked;
   * `idx` is the key's place in `keys`. Keys with no open notice are absent.
   */
  async openForMerge(
    m: EntityManager,
    keys: readonly { userId: string; kind: string; coalesceKey: string }[],
    createdAfter: Date,
  ): Promise<{ idx: number; id: string; data: Record<string, unknown> }[]> {
    return m.query(OPEN_FOR_MERGE, [
      keys.map((_, i) => i),
      keys.map((k) => k.userId),
      keys.map((k) => k.kind),
      keys.map((k) => k.coalesceKey),
      createdAfter,
    ]);
  }

  /** Rewrites merged notices: their data, title and body. */
  async updateMerged(
    m: EntityManager,
    updates: readonly { id: string; data: Record<string, unknown>; title: string; body: string }[],
  ): Promise<void> {
    if (updates.length === 0) return;
    await m.query(
      `UPDATE notifications n SET data = x.data, title = x.title, body = x.body
         FROM json_to_recordset($1::json) AS x(id uuid, data jsonb, title text, body text)
        WHERE n.id = x.id`,
      [JSON.stringify(updates)],
    );
  }

  // ── chasing (催读, the sweep) ──

  /**
   * Claims up to `limit` unread notices whose chase is due (FOR UPDATE SKIP LOCKED) and counts
   * the chase: the next one is due at `next` while fewer than `maxChases` were made, else
   * never. After downtime a notice is chased once, not once per missed interval.
   */
  async startChases(
    m: EntityManager,
    now: Date,
    limit: number,
    maxChases: number,
    next: Date,
  ): Promise<ChasedNotice[]> {
    const rows: ChasedRow[] = await m.query(
      `WITH due AS (
         SELECT id FROM notifications
          WHERE next_chase_at <= $1 AND read_at IS NULL
          ORDER BY next_chase_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       ),
       chased AS (
         UPDATE notifications n
            SET chase_count = n.chase_count + 1,
                last_chased_at = $1,
                next_chase_at = CASE WHEN n.chase_count + 1 < $3 THEN $4::timestamptz END
           FROM due WHERE n.id = due.id
         RETURNING n.id, n.user_id, n.urgent, n.chase_count
       )
       SELECT c.id, c.user_id, c.urgent, c.chase_count, ${PROFILE_COLUMNS}
         FROM chased c
         JOIN users u ON u.id = c.user_id
         LEFT JOIN notification_settings s ON s.user_id = u.id`,
      [now, limit, maxChases, next],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      urgent: r.urgent,
      chaseCount: r.chase_count,
      profile: toProfile(r.user_id, r),
    }));
  }

  /** What the notice's e-mail says; null when the notice no longer exists. */
  async forMail(m: EntityManager, id: string | null): Promise<NoticeForMail | null> {
    const rows: { title: string; body: string; read_at: Date | null; via_name: string | null }[] =
      await m.query(
        `SELECT n.title, n.body, n.read_at, via.display_name AS via_name
           FROM notifications n LEFT JOIN users via ON via.id = n.via_delegation_from
          WHERE n.id = $1`,
        [id],
      );
    if (rows.length === 0) return null;
    const r = rows[0];
    return { title: r.title, body: r.body, readAt: r.read_at, viaName: r.via_name };
  }

  // ── the inbox: only ever the person's own rows ──

  async inbox(
    m: EntityManager,
    userId: string,
    filter: { unread?: boolean },
    page: PageRequest,
  ): Promise<Page<NotificationView>> {
    const unread = filter.unread === true ? 'AND read_at IS NULL' : '';
    const [rows, count] = await Promise.all([
      m.query(
        `SELECT ${COLUMNS} FROM notifications
          WHERE user_id = $1 ${unread}
          ORDER BY created_at DESC, id DESC
          LIMIT $2 OFFSET $3`,
        [userId, page.pageSize, offsetOf(page)],
      ) as Promise<NotificationRow[]>,
      m.query(`SELECT count(*) AS n FROM notifications WHERE user_id = $1 ${unread}`, [
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

  /** Marks the person's notice read (the first reading time stays) and stops its chase. */
  async markRead(
    m: EntityManager,
    userId: string,
    id: string,
    now: Date,
  ): Promise<ReadNotice | null> {
    const [row] = await returning<NotificationRow>(
      m,
      `UPDATE notifications SET read_at = coalesce(read_at, $3), next_chase_at = NULL
        WHERE id = $1 AND user_id = $2
        RETURNING ${COLUMNS}`,
      [id, userId, now],
    );
    if (!row) return null;
    return {
      view: toView(row),
      userId: row.user_id,
      dedupeKey: row.dedupe_key,
      viaDelegationFrom: row.via_delegation_from,
    };
  }

  /** Stops chasing the other copies of a notice between a principal and their deputies. */
  async stopChasingCopies(m: EntityManager, read: ReadNotice): Promise<void> {
    await m.query(
      `UPDATE notifications SET next_chase_at = NULL
        WHERE dedupe_key = $1 AND next_chase_at IS NOT NULL
          AND (user_id = $3 OR via_delegation_from = $2
               OR ($3::uuid IS NOT NULL AND via_delegation_from = $3))`,
      [read.dedupeKey, read.userId, read.viaDelegationFrom],
    );
  }

  /** Marks every unread notice read except those needing acknowledgement; returns how many. */
  async markAllRead(m: EntityManager, userId: string, now: Date): Promise<number> {
    const updated = await returning<{ id: string }>(
      m,
      `UPDATE notifications SET read_at = $2
        WHERE user_id = $1 AND read_at IS NULL AND NOT requires_ack
        RETURNING id`,
      [userId, now],
    );
    return updated.length;
  }

  async countAwaitingAcknowledgement(m: EntityManager, userId: string): Promise<number> {
    const waiting: { n: string }[] = await m.query(
      `SELECT count(*) AS n FROM notifications
        WHERE user_id = $1 AND read_at IS NULL AND requires_ack`,
      [userId],
    );
    return Number(waiting[0].n);
  }
}
