import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { chainEvents, type AuditEventInput } from './audit-chain';
import { AuditRepository, type AuditEvent } from './audit.repository';

/**
 * Appends to the record in the caller's transaction, so a state change and its event commit
 * or fail together. The caller holds the stream's aggregate row lock (SELECT … FOR UPDATE on the
 * task), which orders appends within a stream; UNIQUE (stream_id, seq) is the backstop.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly db: DataSource,
    private readonly repo: AuditRepository,
  ) {}

  async append(manager: EntityManager, events: readonly AuditEventInput[]): Promise<void> {
    if (events.length === 0) return;
    // One query for the heads of every stream touched, one multi-row INSERT for the events:
    // a batch of a hundred tasks costs two round trips, not two hundred.
    const heads = await this.repo.heads(manager, [...new Set(events.map((e) => e.streamId))]);
    await this.repo.insertEvents(manager, chainEvents(events, heads));
  }

  /** One stream's events, oldest first. The caller has checked the stream is in scope. */
  stream(streamId: string): Promise<AuditEvent[]> {
    return this.repo.stream(this.db.manager, streamId);
  }
}
