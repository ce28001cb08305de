import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ProblemSeverity, TaskState } from '#duban/domain';

export interface CalendarFeedRecord {
  userId: string;
  feedId: string;
  createdAt: Date;
}

/** An open measure with a deadline that a person answers for, as the feed shows it. */
export interface FeedTaskRecord {
  id: string;
  measure: string;
  state: TaskState;
  dueAt: Date;
  version: number;
  updatedAt: Date;
  problemTitle: string;
  severity: ProblemSeverity;
  responsibleOrgName: string;
  responsibleOrgPath: string;
  raisingOrgPath: string;
  timeZone: string;
}

interface FeedTaskRow {
  id: string;
  measure: string;
  state: TaskState;
  due_at: Date;
  version: number;
  updated_at: Date;
  problem_title: string;
  severity: ProblemSeverity;
  responsible_org_name: string;
  responsible_org_path: string;
  raising_org_path: string;
  time_zone: string;
}

/** calendar_feeds: the only reader and writer of the table (and the feed's task query). */
@Injectable()
export class CalendarFeedRepository {
  async ofUser(m: EntityManager, userId: string): Promise<CalendarFeedRecord | null> {
    const rows: { user_id: string; feed_id: string; created_at: Date }[] = await m.query(
      `SELECT user_id, feed_id, created_at FROM calendar_feeds WHERE user_id = $1`,
      [userId],
    );
    return rows[0]
      ? { userId: rows[0].user_id, feedId: rows[0].feed_id, createdAt: rows[0].created_at }
      : null;
  }

  /** Creates the person's feed unless one exists (then nothing changes); returns the one kept. */
  async create(
    m: EntityManager,
    feed: CalendarFeedRecord,
    tokenSha256: string,
  ): Promise<CalendarFeedRecord> {
    await m.query(
      `INSERT INTO calendar_feeds (user_id, feed_id, token_sha256, created_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING`,
      [feed.userId, feed.feedId, tokenSha256, feed.createdAt],
    );
    return (await this.ofUser(m, feed.userId))!;
  }

  async remove(m: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `DELETE FROM calendar_feeds WHERE user_id = $1 RETURNING user_id`,
      [userId],
    );
    return rows.length > 0;
  }

  /** The live feed a token opens (by the token's hash), with its user still enabled. */
  async byTokenHash(m: EntityManager, tokenSha256: string): Promise<CalendarFeedRecord | null> {
    const rows: { user_id: string; feed_id: string; created_at: Date }[] = await m.query(
      `SELECT f.user_id, f.feed_id, f.created_at
         FROM calendar_feeds f JOIN users u ON u.id = f.user_id
        WHERE f.token_sha256 = $1 AND u.active`,
      [tokenSha256],
    );
    return rows[0]
      ? { userId: rows[0].user_id, feedId: rows[0].feed_id, createdAt: rows[0].created_at }
      : null;
  }

  /** Every open measure with a deadline the person is responsible for (责任人), by deadline. */
  async openTasksOf(m: EntityManager, userId: string): Promise<FeedTaskRecord[]> {
    const rows: FeedTaskRow[] = await m.query(
      `SELECT t.id, t.measure, t.state, t.due_at, t.version, t.updated_at,
              p.title AS problem_title, p.severity, ro.name AS responsible_org_name,
              t.responsible_org_path::text AS responsible_org_path,
              t.raising_org_path::text AS raising_org_path, ro.time_zone
         FROM tasks t
         JOIN problems p ON p.id = t.problem_id
         JOIN orgs ro ON ro.id = t.responsible_org_id
        WHERE t.responsible_user_id = $1 AND t.state <> 'closed' AND t.due_at IS NOT NULL
        ORDER BY t.due_at, t.id`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      measure: r.measure,
      state: r.state,
      dueAt: r.due_at,
      version: r.version,
      updatedAt: r.updated_at,
      problemTitle: r.problem_title,
      severity: r.severity,
      responsibleOrgName: r.responsible_org_name,
      responsibleOrgPath: r.responsible_org_path,
      raisingOrgPath: r.raising_org_path,
      timeZone: r.time_zone,
    }));
  }
}
