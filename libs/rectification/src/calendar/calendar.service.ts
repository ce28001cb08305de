import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  type Actor,
  addCalendarDays,
  calendarDaysBetween,
  type CalendarOverride,
  chinaCalendar,
  CLOCK,
  type Clock,
  type DayInfo,
  isLocalDate,
  type KnownRange,
  type LocalDate,
  mergeCalendarOverrides,
  type OrgRef,
  type WorkingDayCalendar,
  DomainError,
  forbidden,
  invalid,
  notFound,
  joinMessages,
} from '#duban/domain';
import { pathToIds } from '#duban/persistence';
import { TasksRepository } from '../tasks/tasks.repository';
import { type CalendarOverrideRecord, CalendarRepository } from './calendar.repository';
import {
  MAX_CALENDAR_INFO_DAYS,
  mayEditCalendar,
  mayEditOrgCalendar,
  mayViewOrgCalendar,
  type OverrideEntry,
  parseOverrideEntries,
} from './calendar-rules';

/** How often every process checks whether another one changed the overrides. */
export const CALENDAR_REFRESH_MS = 30_000;

export type { CalendarOverrideRecord } from './calendar.repository';

export interface CalendarInfo {
  from: LocalDate;
  to: LocalDate;
  /** The run of known years ending with the latest (package data and overrides together). */
  knownRange: KnownRange | null;
  days: DayInfo[];
}

/**
 * The working-day calendar in force: chinese-days' holiday data plus the overrides operators
 * keep in PostgreSQL (calendar_overrides) for years the package does not know yet, or for
 * corrections. Every process (api instances, workers) holds the calendar in memory and checks
 * every CALENDAR_REFRESH_MS whether the table changed; the process that made a change reloads
 * at once.
 *
 * A change also pulls every pending task timer forward to shortly after every process has
 * reloaded (see replanTimers), so reminders and steps counted in working days are planned again
 * on the new calendar instead of firing at the instants computed on the old one.
 */
@Injectable()
export class CalendarService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CalendarService.name);
  private calendar: WorkingDayCalendar = chinaCalendar();
  private national: CalendarOverride[] = [];
  /** Each organisation's own overrides (民族自治地方 and the like), by org id. */
  private orgOverrides = new Map<string, CalendarOverride[]>();
  /** Merged calendars built so far, by the ids of the orgs with overrides on the path. */
  private merged = new Map<string, WorkingDayCalendar>();
  private fingerprint: string | null = null;
  private timer?: NodeJS.Timeout;
  private checking: Promise<boolean> | null = null;
  /** Reloads run one after another, so an older read can never replace a newer one. */
  private reloads: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly overrides: CalendarRepository,
    private readonly tasks: TasksRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.refreshIfChanged().catch((e: Error) =>
        this.logger.warn(`calendar overrides not checked: ${e.message}`),
      );
    }, CALENDAR_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The national calendar in force now. */
  current(): WorkingDayCalendar {
    return this.calendar;
  }

  /**
   * The calendar for work of an organisation, given its path (ids from the root, or the ltree
   * text): national data + national overrides + the overrides of every org on the path, the
   * nearest winning. The national calendar itself when no org on the path has overrides.
   */
  forOrgPath(path: string | readonly string[]): WorkingDayCalendar {
    const ids = typeof path === 'string' ? pathToIds(path) : path;
    const withOverrides = ids.filter((id) => this.orgOverrides.has(id));
    if (withOverrides.length === 0) return this.calendar;
    const key = withOverrides.join('/');
    let calendar = this.merged.get(key);
    if (!calendar) {
      calendar = chinaCalendar(
        mergeCalendarOverrides(
          this.national,
          withOverrides.map((id) => this.orgOverrides.get(id)!),
        ),
      );
      this.merged.set(key, calendar);
    }
    return calendar;
  }

  /**
   * Reloads the overrides when the table's content differs from the calendar held; true when
   * it did. One cheap query when nothing changed.
   */
  refreshIfChanged(): Promise<boolean> {
    this.checking ??= (async () => {
      try {
        if ((await this.overrides.fingerprint(this.db.manager)) === this.fingerprint) return false;
        await this.reload();
        return true;
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private reload(): Promise<void> {
    const run = this.reloads.then(() => this.load());
    this.reloads = run.catch(() => undefined);
    return run;
  }

  /** After a change committed here: this process at once (the periodic check would catch up). */
  private async reloadAfterChange(): Promise<void> {
    await this.reload().catch((e: Error) =>
      this.logger.warn(`calendar overrides stored but not reloaded yet: ${e.message}`),
    );
  }

  private async load(): Promise<void> {
    const {
      national: overrides,
      byOrg,
      fingerprint,
    } = await this.overrides.loadAll(this.db.manager);
    try {
      this.calendar = chinaCalendar(overrides);
      this.national = overrides;
      this.orgOverrides = byOrg;
      this.merged = new Map();
      this.fingerprint = fingerprint;
    } catch (e) {
      // Cannot happen with the table's constraints; keep the calendar that works if it does.
      this.logger.error(`calendar overrides not applied: ${(e as Error).message}`);
    }
  }

  // --- reading -------------------------------------------------------------------------------

  async list(year?: number): Promise<CalendarOverrideRecord[]> {
    if (year !== undefined && (!Number.isInteger(year) || year < 1900 || year > 9999)) {
      throw invalid(
        'year',
        '年度须为 1900 至 9999 之间的年份，如 2027 — year must be a year between 1900 and 9999, e.g. 2027',
      );
    }
    return this.overrides.listNational(this.db.manager, year);
  }

  /** For a date picker: each day from `from` to `to` (inclusive), working or not, and known. */
  info(from: string, to: string, calendar: WorkingDayCalendar = this.calendar): CalendarInfo {
    if (!isLocalDate(from))
      throw invalid(
        'from',
        `开始日期须为日期，格式 YYYY-MM-DD — from must be a date as YYYY-MM-DD`,
      );
    if (!isLocalDate(to))
      throw invalid('to', `结束日期须为日期，格式 YYYY-MM-DD — to must be a date as YYYY-MM-DD`);
    const span = calendarDaysBetween(from, to) + 1;
    if (span < 1)
      throw invalid('to', `结束日期不能早于开始日期 — to must not be before from (${from})`);
    if (span > MAX_CALENDAR_INFO_DAYS) {
      throw invalid(
        'to',
        `一次至多查询 ${MAX_CALENDAR_INFO_DAYS} 天 — to: ask for at most ${MAX_CALENDAR_INFO_DAYS} days at a time`,
      );
    }
    const days: DayInfo[] = [];
    for (let i = 0; i < span; i += 1) days.push(calendar.dayInfo(addCalendarDays(from, i)));
    return { from, to, knownRange: calendar.knownRange, days };
  }

  // --- writing -------------------------------------------------------------------------------

  /**
   * Adds or replaces the overrides for the dates listed (other dates stay as they are).
   * Returns the rows written and warnings for years that now count as known.
   */
  async put(
    actor: Actor,
    body: unknown,
  ): Promise<{ items: CalendarOverrideRecord[]; warnings: string[] }> {
    this.requireEditor(actor);
    const parsed = parseOverrideEntries(body);
    if (!parsed.ok) {
      throw new DomainError(
        'invalid',
        joinMessages(parsed.errors.map((e) => e.message)),
        parsed.errors[0]?.field,
        parsed.errors,
      );
    }
    const entries = parsed.value;
    const dates = entries.map((e) => e.date);
    const before = this.calendar;
    const now = this.clock.now();
    const { previous, written } = await this.db.transaction(async (m) => {
      const changed = await this.overrides.putNational(m, entries, actor.userId, now);
      await this.replanTimers(m, now);
      return changed;
    });
    this.logChange(actor, 'set', entries, previous);
    await this.reloadAfterChange();
    const warnings = this.beyondDataWarnings(dates, before);
    return { items: written, warnings };
  }

  async remove(actor: Actor, date: string): Promise<void> {
    this.requireEditor(actor);
    if (!isLocalDate(date))
      throw invalid('date', '日期须为日期，格式 YYYY-MM-DD — date must be a date as YYYY-MM-DD');
    const now = this.clock.now();
    const removed = await this.db.transaction(async (m) => {
      const rows = await this.overrides.removeNational(m, date);
      if (rows.length > 0) await this.replanTimers(m, now);
      return rows;
    });
    if (removed.length === 0)
      throw notFound(`该日期没有调整记录 — date: there is no override for ${date}`);
    this.logChange(actor, 'removed', [], removed);
    await this.reloadAfterChange();
  }

  // --- an organisation's own overrides (applying to its subtree) ------------------------------

  /** The org, once the actor may see its calendar (404 otherwise, as for anything out of scope). */
  private async visibleOrg(actor: Actor, orgId: string): Promise<OrgRef> {
    const row = await this.overrides.org(this.db.manager, orgId);
    const org = row ? { id: row.id, path: pathToIds(row.path) } : null;
    if (!org || !mayViewOrgCalendar(actor, org)) {
      throw notFound(
        `组织不存在或不在你的范围内 — organisation ${orgId} does not exist or is outside your scope`,
      );
    }
    return org;
  }

  /** The merged calendar an organisation's work is counted on, for /calendar/info?orgId=. */
  async infoForOrg(actor: Actor, orgId: string, from: string, to: string): Promise<CalendarInfo> {
    const org = await this.visibleOrg(actor, orgId);
    return this.info(from, to, this.forOrgPath(org.path));
  }

  async listForOrg(actor: Actor, orgId: string, year?: number): Promise<CalendarOverrideRecord[]> {
    await this.visibleOrg(actor, orgId);
    if (year !== undefined && (!Number.isInteger(year) || year < 1900 || year > 9999)) {
      throw invalid(
        'year',
        '年度须为 1900 至 9999 之间的年份，如 2027 — year must be a year between 1900 and 9999, e.g. 2027',
      );
    }
    return this.overrides.listForOrg(this.db.manager, orgId, year);
  }

  /**
   * Adds or replaces an organisation's own overrides (other dates stay as they are). Pending
   * timers of tasks in its subtree are planned again, as for a national change.
   */
  async putForOrg(
    actor: Actor,
    orgId: string,
    body: unknown,
  ): Promise<{ items: CalendarOverrideRecord[]; warnings: string[] }> {
    const org = await this.visibleOrg(actor, orgId);
    const decision = mayEditOrgCalendar(actor, org);
    if (!decision.allowed) throw forbidden(decision.reason);
    const parsed = parseOverrideEntries(body);
    if (!parsed.ok) {
      throw new DomainError(
        'invalid',
        joinMessages(parsed.errors.map((e) => e.message)),
        parsed.errors[0]?.field,
        parsed.errors,
      );
    }
    const entries = parsed.value;
    const now = this.clock.now();
    const written = await this.db.transaction(async (m) => {
      const rows = await this.overrides.putForOrg(m, orgId, entries, actor.userId, now);
      await this.replanTimers(m, now, orgId);
      return rows;
    });
    this.logger.log(
      `calendar overrides of org ${orgId} set by user ${actor.userId}: ${JSON.stringify(entries)}`,
    );
    await this.reloadAfterChange();
    return {
      items: written,
      warnings: this.beyondDataWarnings(entries.map((e) => e.date)),
    };
  }

  async removeForOrg(actor: Actor, orgId: string, date: string): Promise<void> {
    const org = await this.visibleOrg(actor, orgId);
    const decision = mayEditOrgCalendar(actor, org);
    if (!decision.allowed) throw forbidden(decision.reason);
    if (!isLocalDate(date))
      throw invalid('date', '日期须为日期，格式 YYYY-MM-DD — date must be a date as YYYY-MM-DD');
    const now = this.clock.now();
    const removed = await this.db.transaction(async (m) => {
      const rows = await this.overrides.removeForOrg(m, orgId, date);
      if (rows.length > 0) await this.replanTimers(m, now, orgId);
      return rows;
    });
    if (removed.length === 0)
      throw notFound(
        `本组织在该日期没有调整记录 — date: this organisation has no override for ${date}`,
      );
    this.logger.log(`calendar override of org ${orgId} for ${date} removed by ${actor.userId}`);
    await this.reloadAfterChange();
  }

  /** Years the holiday data did not cover, which count as known once they have an override. */
  private beyondDataWarnings(
    dates: readonly LocalDate[],
    before: WorkingDayCalendar = this.calendar,
  ): string[] {
    return [...new Set(dates.map((d) => Number(d.slice(0, 4))))]
      .filter((y) => !before.covers(`${y}-01-01`))
      .sort((a, b) => a - b)
      .map(
        (y) =>
          `${y} 年不在节假日数据包范围内，现按覆盖表视为已知：请录入该年全部法定节假日和调休上班日 — ` +
          `${y} is beyond the holiday package's data and now counts as known from the overrides: ` +
          `list every public holiday and adjusted working day of ${y}`,
      );
  }

  private requireEditor(actor: Actor): void {
    const decision = mayEditCalendar(actor);
    if (!decision.allowed) throw forbidden(decision.reason);
  }

  /**
   * Reminders and steps counted in working days were planned on the old calendar. Every
   * pending timer is moved to just after all processes will have reloaded (two refresh
   * periods), where the ladder plans it again on the new calendar: nothing fires early, and
   * a step the change brought forward fires at most that long after its new instant. Timers
   * already due are left to the sweep.
   */
  private async replanTimers(m: EntityManager, now: Date, orgId?: string): Promise<void> {
    const replanAt = new Date(now.getTime() + 2 * CALENDAR_REFRESH_MS);
    // An organisation's overrides move only the deadlines of its subtree.
    await this.tasks.replanPendingTimers(m, now, replanAt, orgId);
  }

  /**
   * The audit log's streams are tasks, problems and accountability cases; calendar changes
   * are recorded in the application log (and the table keeps who changed each date last).
   */
  private logChange(
    actor: Actor,
    action: 'set' | 'removed',
    entries: readonly OverrideEntry[],
    previous: readonly CalendarOverrideRecord[],
  ): void {
    this.logger.log(
      `calendar overrides ${action} by user ${actor.userId}: ${JSON.stringify({
        set: entries,
        previous: previous.map((p) => ({ date: p.date, kind: p.kind, note: p.note })),
      })}`,
    );
  }
}
