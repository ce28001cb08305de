import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { normalise } from './canonical-json';
import { eventHash, GENESIS_HASH } from './audit-hash';

export type StreamType = 'task' | 'problem' | 'accountability_case';

export interface AuditEventInput {
  streamType: StreamType;
  streamId: string;
  at: Date;
  actorId: string | null;
  type: string;
  fromState?: string | null;
  toState?: string | null;
  data: unknown;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actorId: string | null;
  type: string;
  from: string | null;
  to: string | null;
  data: unknown;
  hash: string;
}

interface EventRow {
  seq: number;
  at: Date;
  actor_id: string | null;
  type: string;
  from_state: string | null;
  to_state: string | null;
  data: unknown;
  hash: string;
}

/**
 * Appends to the record in the caller's transaction, so a state change and its event commit
 * or fail together. The caller holds the stream's aggregate row lock (SELECT … FOR UPDATE on the
 * task), which orders appends within a stream; UNIQUE (stream_id, seq) is the backstop.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly db: DataSource) {}

  async append(manager: EntityManager, events: readonly AuditEventInput[]): Promise<void> {
    const heads = new Map<string, { seq: number; hash: string }>();
    for (const e of events) {
      let head = heads.get(e.streamId);
      if (!head) {
        const rows: { seq: number; hash: string }[] = await manager.query(
          `SELECT seq, hash FROM audit_events WHERE stream_id = $1 ORDER BY seq DESC LIMIT 1`,
          [e.streamId],
        );
        head = rows[0] ?? { seq: 0, hash: GENESIS_HASH };
      }
      const data = normalise(e.data);
      const fields = {
        streamType: e.streamType,
        streamId: e.streamId,
        seq: head.seq + 1,
        at: e.at,
        actorId: e.actorId,
        type: e.type,
        fromState: e.fromState ?? null,
        toState: e.toState ?? null,
        data,
        prevHash: head.hash,
      };
      const hash = eventHash(fields);
      await manager.query(
        `INSERT INTO audit_events
           (stream_type, stream_id, seq, at, actor_id, type, from_state, to_state, data, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          fields.streamType,
          fields.streamId,
          fields.seq,
          fields.at,
          fields.actorId,
          fields.type,
          fields.fromState,
          fields.toState,
          JSON.stringify(data),
          fields.prevHash,
          hash,
        ],
      );
      heads.set(e.streamId, { seq: fields.seq, hash });
    }
  }

  /** One stream's events, oldest first. The caller has checked the stream is in scope. */
  async stream(streamId: string): Promise<AuditEvent[]> {
    const rows: EventRow[] = await this.db.query(
      `SELECT seq, at, actor_id, type, from_state, to_state, data, hash
         FROM audit_events WHERE stream_id = $1 ORDER BY seq`,
      [streamId],
    );
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      actorId: r.actor_id,
      type: r.type,
      from: r.from_state,
      to: r.to_state,
      data: r.data,
      hash: r.hash,
    }));
  }
}
