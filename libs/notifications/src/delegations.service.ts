import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Actor,
  calendarDaysBetween,
  CLOCK,
  type Clock,
  isLocalDate,
  localDateOf,
  conflict,
  invalid,
  isUniqueViolation,
  notFound,
} from '#duban/domain';
import { timeZoneSql } from './recipient-profile';

export interface DelegationView {
  id: string;
  /** The absent person (委托人). */
  userId: string;
  userName: string;
  /** Who receives their notices meanwhile (受托人). */
  deputyId: string;
  deputyName: string;
  startsOn: string;
  endsOn: string;
  createdAt: string;
  /** 'granted' when the caller is the absent person, 'received' when they are the deputy. */
  direction: 'granted' | 'received';
}

export interface NewDelegation {
  deputyId: string;
  startsOn: string;
  endsOn: string;
}

interface DelegationRow {
  id: string;
  user_id: string;
  user_name: string;
  deputy_id: string;
  deputy_name: string;
  starts_on: string;
  ends_on: string;
  created_at: Date;
}

/** The longest absence one delegation may cover; a longer one is a change of post, not leave. */
const MAX_DAYS = 366;

/**
 * Absence delegation (请假委托): while someone is away, their notices also reach a deputy,
 * recorded as such on the deputy's copy. One level only: a deputy's own deputy is not added,
 * so a notice cannot wander along a chain of absences.
 */
@Injectable()
export class DelegationsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Delegations the caller granted or received that have not ended yet in their zone. */
  async list(actor: Actor): Promise<DelegationView[]> {
    const rows = await this.select(
      '(dl.user_id = $1 OR dl.deputy_id = $1) AND dl.ends_on >= $2::date',
      [actor.userId, await this.today(actor.userId)],
    );
    return rows.map((r) => this.toView(r, actor.userId));
  }

  private select(where: string, params: unknown[]): Promise<DelegationRow[]> {
    return this.db.query(
      `SELECT dl.id, dl.user_id, pu.display_name AS user_name, dl.deputy_id,
              du.display_name AS deputy_name, dl.starts_on::text AS starts_on,
              dl.ends_on::text AS ends_on, dl.created_at
         FROM delegations dl
         JOIN users pu ON pu.id = dl.user_id
         JOIN users du ON du.id = dl.deputy_id
        WHERE ${where}
        ORDER BY dl.starts_on, dl.created_at, dl.id`,
      params,
    );
  }

  async create(actor: Actor, input: NewDelegation): Promise<DelegationView> {
    if (!isLocalDate(input.startsOn)) {
      throw invalid(
        'startsOn',
        '开始日期须为日期，格式 YYYY-MM-DD — startsOn must be a calendar date as YYYY-MM-DD',
      );
    }
    if (!isLocalDate(input.endsOn)) {
      throw invalid(
        'endsOn',
        '结束日期须为日期，格式 YYYY-MM-DD — endsOn must be a calendar date as YYYY-MM-DD',
      );
    }
    const days = calendarDaysBetween(input.startsOn, input.endsOn);
    if (days < 0)
      throw invalid('endsOn', '结束日期不能早于开始日期 — endsOn must not be before startsOn');
    if (days >= MAX_DAYS) {
      throw invalid(
        'endsOn',
        `一次委托至多 ${MAX_DAYS} 天 — a delegation may cover at most ${MAX_DAYS} days`,
      );
    }
    if (calendarDaysBetween(await this.today(actor.userId), input.endsOn) < 0) {
      throw invalid('endsOn', '结束日期不能早于今天 — endsOn must not be in the past');
    }
    if (input.deputyId === actor.userId) {
      throw invalid(
        'deputyId',
        '代理人须为他人，不能委托给自己 — deputyId must be someone else: you cannot be your own deputy',
      );
    }
    const deputies: { system_admin: boolean }[] = await this.db.query(
      'SELECT system_admin FROM users WHERE id = $1 AND active',
      [input.deputyId],
    );
    if (deputies.length === 0) {
      throw invalid(
        'deputyId',
        `代理人不存在或已停用 — deputyId: user ${input.deputyId} does not exist or is disabled`,
      );
    }
    // The deputy will read what the absent person reads, so they must already be entitled to
    // see all of it: a role in each of the person's organisations or in one above it. (The
    // delivery checks again, task by task, when it plans a deputy's copy.)
    if (!deputies[0].system_admin) {
      const uncovered: { name: string }[] = await this.db.query(
        `SELECT DISTINCT mo.name
           FROM role_assignments mine JOIN orgs mo ON mo.id = mine.org_id
          WHERE mine.user_id = $1 AND mine.revoked_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM role_assignments theirs JOIN orgs tho ON tho.id = theirs.org_id
                             WHERE theirs.user_id = $2 AND theirs.revoked_at IS NULL
                               AND mo.path <@ tho.path)
          ORDER BY mo.name`,
        [actor.userId, input.deputyId],
      );
      if (uncovered.length > 0) {
        throw invalid(
          'deputyId',
          `代理人：受托人须在你任职的每个党组织或其上级担任职务，未覆盖：${uncovered.map((o) => o.name).join('、')} — deputyId must hold a role in each of your organisations or in one above it`,
          'deputy_not_entitled',
        );
      }
    }
    const id = randomUUID();
    try {
      await this.db.query(
        `INSERT INTO delegations (id, user_id, deputy_id, starts_on, ends_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, actor.userId, input.deputyId, input.startsOn, input.endsOn, this.clock.now()],
      );
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw conflict(
          '已有相同的委托（同一代理人、同一起止日期） — this delegation exists already (same deputy and dates)',
          'deputyId',
        );
      }
      throw e;
    }
    const [row] = await this.select('dl.id = $1', [id]);
    return this.toView(row, actor.userId);
  }

  /** Ends a delegation the caller granted; anybody else's answers 404. */
  async remove(actor: Actor, id: string): Promise<void> {
    const result: [unknown[], number] = await this.db.query(
      'DELETE FROM delegations WHERE id = $1 AND user_id = $2',
      [id, actor.userId],
    );
    if (result[1] === 0)
      throw notFound(`该委托不存在或不是你的 — delegation ${id} does not exist or is not yours`);
  }

  private async today(userId: string): Promise<string> {
    const rows: { time_zone: string }[] = await this.db.query(
      `SELECT ${timeZoneSql('u.id', 's')} AS time_zone FROM users u
         LEFT JOIN notification_settings s ON s.user_id = u.id WHERE u.id = $1`,
      [userId],
    );
    return localDateOf(this.clock.now(), rows[0]?.time_zone ?? 'Asia/Shanghai');
  }

  private toView(r: DelegationRow, callerId: string): DelegationView {
    return {
      id: r.id,
      userId: r.user_id,
      userName: r.user_name,
      deputyId: r.deputy_id,
      deputyName: r.deputy_name,
      startsOn: r.starts_on,
      endsOn: r.ends_on,
      createdAt: r.created_at.toISOString(),
      direction: r.user_id === callerId ? 'granted' : 'received',
    };
  }
}
