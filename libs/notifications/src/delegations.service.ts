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
import { type DelegationRecord, RecipientsRepository } from './recipients.repository';

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
    private readonly recipients: RecipientsRepository,
  ) {}

  /** Delegations the caller granted or received that have not ended yet in their zone. */
  async list(actor: Actor): Promise<DelegationView[]> {
    const rows = await this.recipients.delegationsOf(
      this.db.manager,
      actor.userId,
      await this.today(actor.userId),
    );
    return rows.map((r) => this.toView(r, actor.userId));
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
    const deputy = await this.recipients.activeUser(this.db.manager, input.deputyId);
    if (!deputy) {
      throw invalid(
        'deputyId',
        `代理人不存在或已停用 — deputyId: user ${input.deputyId} does not exist or is disabled`,
      );
    }
    // The deputy will read what the absent person reads, so they must already be entitled to
    // see all of it: a role in each of the person's organisations or in one above it. (The
    // delivery checks again, task by task, when it plans a deputy's copy.)
    if (!deputy.systemAdmin) {
      const uncovered = await this.recipients.orgsNotCoveredBy(
        this.db.manager,
        actor.userId,
        input.deputyId,
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
      await this.recipients.insertDelegation(
        this.db.manager,
        {
          id,
          userId: actor.userId,
          deputyId: input.deputyId,
          startsOn: input.startsOn,
          endsOn: input.endsOn,
        },
        this.clock.now(),
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
    const row = await this.recipients.delegation(this.db.manager, id);
    return this.toView(row, actor.userId);
  }

  /** Ends a delegation the caller granted; anybody else's answers 404. */
  async remove(actor: Actor, id: string): Promise<void> {
    const removed = await this.recipients.removeDelegation(this.db.manager, id, actor.userId);
    if (!removed)
      throw notFound(`该委托不存在或不是你的 — delegation ${id} does not exist or is not yours`);
  }

  private async today(userId: string): Promise<string> {
    const zone = await this.recipients.timeZoneOf(this.db.manager, userId);
    return localDateOf(this.clock.now(), zone ?? 'Asia/Shanghai');
  }

  private toView(r: DelegationRecord, callerId: string): DelegationView {
    return {
      ...r,
      createdAt: r.createdAt.toISOString(),
      direction: r.userId === callerId ? 'granted' : 'received',
    };
  }
}
