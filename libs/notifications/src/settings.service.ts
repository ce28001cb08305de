import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '#duban/config';
import { CLOCK, type Clock, isValidTimeZone, invalid } from '#duban/domain';
import { isHhMm, type QuietHours } from './delivery-rules';
import { CHANNELS, type Channel } from './notification-input';
import { RecipientsRepository } from './recipients.repository';

export interface NotificationSettingsView {
  /** Always contains 'inbox': the in-app inbox cannot be switched off. */
  channels: Channel[];
  /** Non-urgent e-mails batched into one daily message (每日汇总). */
  digest: boolean;
  /** Local time 'HH:MM' of the daily digest in effect: their own, else DUBAN_DIGEST_TIME. */
  digestTime: string;
  digestTimeIsDefault: boolean;
  quietHours: QuietHours | null;
  /** The zone quiet hours and the digest time are read in. */
  timeZone: string;
  /** True when timeZone follows the person's organisation (no own setting). */
  timeZoneFromOrg: boolean;
}

export interface NotificationSettingsInput {
  channels: string[];
  digest: boolean;
  /** Absent or null: the installation's DUBAN_DIGEST_TIME. */
  digestTime?: string | null;
  quietHours?: { start: string; end: string } | null;
  /** Absent or null: follow the organisation's zone. */
  timeZone?: string | null;
}

/** Per-person notification preferences (channels, digest, quiet hours 免打扰, zone). */
@Injectable()
export class NotificationSettingsService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly recipients: RecipientsRepository,
  ) {}

  async get(userId: string): Promise<NotificationSettingsView> {
    const found = await this.recipients.profile(this.db.manager, userId);
    if (!found) throw new Error(`user ${userId} does not exist`);
    const p = found.profile;
    return {
      channels: [...p.channels],
      digest: p.digest,
      digestTime: p.digestTime ?? this.config.DUBAN_DIGEST_TIME,
      digestTimeIsDefault: p.digestTime === null,
      quietHours: p.quietHours,
      timeZone: p.timeZone,
      timeZoneFromOrg: found.ownTimeZone === null,
    };
  }

  async put(userId: string, input: NotificationSettingsInput): Promise<NotificationSettingsView> {
    const unknown = input.channels.filter((c) => !(CHANNELS as readonly string[]).includes(c));
    if (unknown.length > 0) {
      throw invalid(
        'channels',
        `通知渠道只能是 ${CHANNELS.join('、')} — channels may only contain ${CHANNELS.join(', ')}`,
      );
    }
    // The inbox is the record of what the person was told; it is always on.
    const channels = CHANNELS.filter((c) => c === 'inbox' || input.channels.includes(c));
    const quiet = input.quietHours ?? null;
    if (quiet) {
      if (!isHhMm(quiet.start)) {
        throw invalid(
          'quietHours.start',
          '免打扰开始时间须为 HH:MM 格式的时刻，如 22:00 — quietHours.start must be a local time HH:MM, e.g. 22:00',
        );
      }
      if (!isHhMm(quiet.end)) {
        throw invalid(
          'quietHours.end',
          '免打扰结束时间须为 HH:MM 格式的时刻，如 07:00 — quietHours.end must be a local time HH:MM, e.g. 07:00',
        );
      }
      if (quiet.start === quiet.end) {
        throw invalid(
          'quietHours',
          '免打扰时段的开始和结束时间不能相同 — quietHours.start and quietHours.end must differ',
        );
      }
    }
    const digestTime = input.digestTime ?? null;
    if (digestTime !== null && !isHhMm(digestTime)) {
      throw invalid(
        'digestTime',
        '每日汇总时间须为本地时间 HH:MM，如 08:00 — digestTime must be a local time HH:MM, e.g. 08:00',
      );
    }
    const timeZone = input.timeZone ?? null;
    if (timeZone !== null && !isValidTimeZone(timeZone)) {
      throw invalid(
        'timeZone',
        `时区须为 IANA 时区名称，如 Asia/Shanghai — timeZone must be an IANA time zone such as Asia/Shanghai, got "${timeZone}"`,
      );
    }
    await this.recipients.saveSettings(
      this.db.manager,
      userId,
      { channels, digest: input.digest, digestTime, quietHours: quiet, timeZone },
      this.clock.now(),
    );
    return this.get(userId);
  }
}
