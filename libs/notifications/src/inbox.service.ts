import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock, notFound, Page, PageRequest } from '#duban/domain';
import { NotificationsRepository, type NotificationView } from './notifications.repository';

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
    private readonly notifications: NotificationsRepository,
  ) {}

  list(
    userId: string,
    filter: { unread?: boolean },
    page: PageRequest,
  ): Promise<Page<NotificationView>> {
    return this.notifications.inbox(this.db.manager, userId, filter, page);
  }

  /**
   * Read receipt (已阅). Idempotent: the first reading time stays. Reading a notice also
   * acknowledges it for the chase, together with the other copies of the same notice between
   * a principal and their deputies: whoever of them read it, the others are not chased.
   */
  async markRead(userId: string, id: string): Promise<NotificationView> {
    const now = this.clock.now();
    return this.db.transaction(async (m) => {
      const read = await this.notifications.markRead(m, userId, id, now);
      if (!read)
        throw notFound(
          `该通知不存在或不是你的 — notification ${id} does not exist or is not yours`,
        );
      await this.notifications.stopChasingCopies(m, read);
      return read.view;
    });
  }

  /**
   * Marks every unread notice read, except those that need acknowledgement: a 督办 notice is
   * acknowledged by opening it, not by sweeping the inbox clean.
   */
  async markAllRead(userId: string): Promise<ReadAllResult> {
    const now = this.clock.now();
    const updated = await this.notifications.markAllRead(this.db.manager, userId, now);
    const waiting = await this.notifications.countAwaitingAcknowledgement(this.db.manager, userId);
    return { updated, awaitingAcknowledgement: waiting };
  }
}
