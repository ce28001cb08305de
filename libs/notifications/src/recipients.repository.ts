import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DEFAULT_TIME_ZONE } from '#duban/domain';
import { CHANNELS, type Channel, DEFAULT_CHANNELS } from './notification-input';
import type { RecipientProfile } from './recipient-profile';

/**
 * A person's zone: their own setting, else the zone of the organisation they sit deepest in
 * (their own unit), else the default. `userId` and `settings` are SQL expressions/aliases.
 */
export function timeZoneSql(userId: string, settings: string): string {
  return `coalesce(${settings}.time_zone,
    (SELECT tz_org.time_zone FROM role_assignments tz_ra JOIN orgs tz_org ON tz_org.id = tz_ra.org_id
      WHERE tz_ra.user_id = ${userId} AND tz_ra.revoked_at IS NULL ORDER BY nlevel(tz_org.path) DESC, tz_org.id LIMIT 1),
    '${DEFAULT_TIME_ZONE}')`;
}

/** Columns of a profile, selected from `users u LEFT JOIN notification_settings s`. */
export const PROFILE_COLUMNS = `u.email, u.display_name, s.channels, s.digest, s.digest_time, s.quiet_start,
  s.quiet_end, ${timeZoneSql('u.id', 's')} AS time_zone`;

export interface ProfileRow {
  email: string | null;
  display_name: string;
  channels: string[] | null;
  digest: boolean | null;
  digest_time: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
  time_zone: string;
}

export function toProfile(userId: string, r: ProfileRow): RecipientProfile {
  return {
    userId,
    email: r.email && r.email.trim() !== '' ? r.email : null,
    displayName: r.display_name,
    channels: r.channels
      ? r.channels.filter((c): c is Channel => (CHANNELS as readonly string[]).includes(c))
      : DEFAULT_CHANNELS,
    digest: r.digest ?? true,
    digestTime: r.digest_time ?? null,
    quietHours: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
    timeZone: r.time_zone,
  };
}

/** What a person chose (notification_settings); null fields follow the defaults. */
export interface RecipientSettings {
  channels: readonly Channel[];
  digest: boolean;
  digestTime: string | null;
  quietHours: { start: string; end: string } | null;
  timeZone: string | null;
}

/** An absence delegation (请假委托) with both people's names. */
export interface DelegationRecord {
  id: string;
  userId: string;
  userName: string;
  deputyId: string;
  deputyName: string;
  startsOn: string;
  endsOn: string;
  createdAt: Date;
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

const toDelegation = (r: DelegationRow): DelegationRecord => ({
  id: r.id,
  userId: r.user_id,
  userName: r.user_name,
  deputyId: r.deputy_id,
  deputyName: r.deputy_name,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  createdAt: r.created_at,
});

/**
 * How people are reached: the only writer of `notification_settings` (channels, digest, quiet
 * hours 免打扰, zone) and `delegations` (请假委托), and the reader of recipient profiles.
 */
@Injectable()
export class RecipientsRepository {
  // ── profiles and settings ──

  /** The person's profile, and their own zone setting (null: the organisation's); null if no such user. */
  async profile(
    m: EntityManager,
    userId: string,
  ): Promise<{ profile: RecipientProfile; ownTimeZone: string | null } | null> {
    const rows: (ProfileRow & { own_zone: string | null })[] = await m.query(
      `SELECT ${PROFILE_COLUMNS}, s.time_zone AS own_zone FROM users u
         LEFT JOIN notification_settings s ON s.user_id = u.id
        WHERE u.id = $1`,
      [userId],
    );
    if (rows.length === 0) return null;
    return { profile: toProfile(userId, rows[0]), ownTimeZone: rows[0].own_zone };
  }

  /** The zone the person's days are counted in; null if no such user. */
  async timeZoneOf(m: EntityManager, userId: string): Promise<string | null> {
    const rows: { time_zone: string }[] = await m.query(
      `SELECT ${timeZoneSql('u.id', 's')} AS time_zone FROM users u
         LEFT JOIN notification_settings s ON s.user_id = u.id WHERE u.id = $1`,
      [userId],
    );
    return rows[0]?.time_zone ?? null;
  }

  async saveSettings(
    m: EntityManager,
    userId: string,
    settings: RecipientSettings,
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO notification_settings (user_id, channels, digest, quiet_start, quiet_end,
                                          time_zone, updated_at, digest_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id) DO UPDATE
         SET channels = EXCLUDED.channels, digest = EXCLUDED.digest,
             quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
             time_zone = EXCLUDED.time_zone, updated_at = EXCLUDED.updated_at,
             digest_time = EXCLUDED.digest_time`,
      [
        userId,
        settings.channels,
        settings.digest,
        settings.quietHours?.start ?? null,
        settings.quietHours?.end ?? null,
        settings.timeZone,
        now,
        settings.digestTime,
      ],
    );
  }

  // ── delegations (请假委托) ──

  /** Delegations `userId` granted or received that end on or after `today`. */
  delegationsOf(m: EntityManager, userId: string, today: string): Promise<DelegationRecord[]> {
    return this.selectDelegations(
      m,
      '(dl.user_id = $1 OR dl.deputy_id = $1) AND dl.ends_on >= $2::date',
      [userId, today],
    );
  }

  /** One delegation by id (one that exists: the one just made). */
  async delegation(m: EntityManager, id: string): Promise<DelegationRecord> {
    const [row] = await this.selectDelegations(m, 'dl.id = $1', [id]);
    return row;
  }

  private async selectDelegations(
    m: EntityManager,
    where: string,
    params: unknown[],
  ): Promise<DelegationRecord[]> {
    const rows: DelegationRow[] = await m.query(
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
    return rows.map(toDelegation);
  }

  /** An active user who could be a deputy; null if none is. */
  async activeUser(m: EntityManager, id: string): Promise<{ systemAdmin: boolean } | null> {
    const rows: { system_admin: boolean }[] = await m.query(
      'SELECT system_admin FROM users WHERE id = $1 AND active',
      [id],
    );
    return rows.length === 0 ? null : { systemAdmin: rows[0].system_admin };
  }

  /**
   * The names of `userId`'s organisations where `deputyId` holds no role in the organisation
   * or above it, sorted.
   */
  async orgsNotCoveredBy(
    m: EntityManager,
    userId: string,
    deputyId: string,
  ): Promise<{ name: string }[]> {
    const rows: { name: string }[] = await m.query(
      `SELECT DISTINCT mo.name
         FROM role_assignments mine JOIN orgs mo ON mo.id = mine.org_id
        WHERE mine.user_id = $1 AND mine.revoked_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM role_assignments theirs JOIN orgs tho ON tho.id = theirs.org_id
                           WHERE theirs.user_id = $2 AND theirs.revoked_at IS NULL
                             AND mo.path <@ tho.path)
        ORDER BY mo.name`,
      [userId, deputyId],
    );
    return rows;
  }

  /** Throws the database's unique violation when the same delegation exists already. */
  async insertDelegation(
    m: EntityManager,
    d: { id: string; userId: string; deputyId: string; startsOn: string; endsOn: string },
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO delegations (id, user_id, deputy_id, starts_on, ends_on, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [d.id, d.userId, d.deputyId, d.startsOn, d.endsOn, now],
    );
  }

  /** Removes a delegation `userId` granted; false when there is none such. */
  async removeDelegation(m: EntityManager, id: string, userId: string): Promise<boolean> {
    const result: [unknown[], number] = await m.query(
      'DELETE FROM delegations WHERE id = $1 AND user_id = $2',
      [id, userId],
    );
    return result[1] > 0;
  }
}
