import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#duban/config';
import {
  Actor,
  CLOCK,
  type Clock,
  deadlineEventSpan,
  type IcsEvent,
  notFound,
  plannedTimeline,
  policyForSeverity,
  renderCalendar,
  TASK_STATE_LABELS,
} from '#duban/domain';
import { CalendarService } from '../calendar/calendar.service';
import { EscalationPolicyService } from '../escalation/policy.service';
import { SEVERITY_LABELS } from '../reports/ledger-columns';
import { CalendarFeedRepository } from './calendar-feed.repository';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * 日历订阅: a secret, revocable URL per person whose iCalendar lists every open measure they
 * answer for (责任人) at its deadline, with an alarm at each reminder of the task's policy.
 *
 * The token is the feed's id plus an HMAC of it under the server's secret (DUBAN_JWT_SECRET),
 * so the URL can be shown again without being stored: the database keeps only the token's
 * SHA-256, and a copy of the database alone opens no feed. Revoking deletes the feed; the next
 * request for the URL makes a new feed id, hence a new token.
 */
@Injectable()
export class CalendarFeedService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feeds: CalendarFeedRepository,
    private readonly policies: EscalationPolicyService,
    private readonly calendars: CalendarService,
  ) {}

  /** The person's feed token, created on first request. */
  async tokenFor(actor: Actor): Promise<string> {
    return this.db.transaction(async (m) => {
      const existing = await this.feeds.ofUser(m, actor.userId);
      if (existing) return this.tokenOf(existing.feedId);
      const feedId = randomUUID();
      const now = this.clock.now();
      const kept = await this.feeds.create(
        m,
        { userId: actor.userId, feedId, createdAt: now },
        sha256(this.tokenOf(feedId)),
      );
      return this.tokenOf(kept.feedId);
    });
  }

  /** Revokes the person's feed (its URL stops working at once); false when there was none. */
  async revoke(actor: Actor): Promise<boolean> {
    return this.feeds.remove(this.db.manager, actor.userId);
  }

  /** The iCalendar text of the feed a token opens; 404 for an unknown or revoked token. */
  async ics(token: string, baseUrl: string): Promise<string> {
    const m = this.db.manager;
    const feed = /^[0-9a-f]{32}[A-Za-z0-9_-]{43}$/.test(token)
      ? await this.feeds.byTokenHash(m, sha256(token))
      : null;
    if (!feed) throw notFound('日历订阅地址无效或已撤销', 'calendar_feed_not_found');
    const now = this.clock.now();
    const tasks = await this.feeds.openTasksOf(m, feed.userId);
    const policies = await this.policies.effectiveMany(
      m,
      tasks.map((t) => t.raisingOrgPath),
    );
    const events: IcsEvent[] = tasks.map((t) => {
      const policy = policyForSeverity(policies.get(t.raisingOrgPath)!.document, t.severity);
      const calendar = this.calendars.forOrgPath(t.responsibleOrgPath);
      const reminders = plannedTimeline(t.dueAt, policy, calendar, t.timeZone).filter(
        (i) => i.kind === 'reminder',
      );
      const link = `${baseUrl}/tasks/${t.id}`;
      return {
        uid: `task-${t.id}@duban`,
        sequence: t.version,
        ...deadlineEventSpan(t.dueAt),
        summary: `整改时限：${t.measure}`,
        description:
          `问题：${t.problemTitle}\n整改措施：${t.measure}\n责任单位：${t.responsibleOrgName}\n` +
          `严重程度：${SEVERITY_LABELS[t.severity] ?? t.severity}\n状态：${TASK_STATE_LABELS[t.state]}\n${link}`,
        url: link,
        lastModified: t.updatedAt,
        alarms: reminders.map((r) => ({
          at: r.firesAt,
          description: `整改时限将至：${t.measure}`,
        })),
      };
    });
    return renderCalendar({
      prodId: '-//Duban 督办//Calendar feed//ZH',
      name: '督办：我的整改时限',
      generatedAt: now,
      events,
    });
  }

  /** 32 hex characters of the feed id, then 43 of base64url HMAC-SHA256 under the secret. */
  private tokenOf(feedId: string): string {
    const mac = createHmac('sha256', this.config.DUBAN_JWT_SECRET)
      .update(`duban-calendar-feed:${feedId}`)
      .digest('base64url');
    return feedId.replace(/-/g, '') + mac;
  }
}
