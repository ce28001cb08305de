import { DEFAULT_TIME_ZONE } from '#duban/domain';
import { CHANNELS, type Channel, DEFAULT_CHANNELS } from './notification-input';
import type { QuietHours } from './delivery-rules';

/** How a person wants to be reached, as the delivery rules need it. */
export interface RecipientProfile {
  userId: string;
  email: string | null;
  displayName: string;
  channels: readonly Channel[];
  /** Routine e-mails held for one daily digest; on unless the person turned it off. */
  digest: boolean;
  /** Their own digest time 'HH:MM', or null for DUBAN_DIGEST_TIME. */
  digestTime: string | null;
  quietHours: QuietHours | null;
  timeZone: string;
}

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
