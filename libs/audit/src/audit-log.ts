import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '#duban/persistence';
import { normalise } from './canonical-json';
import { eventHash, GENESIS_HASH } from './audit-hash';

export type StreamType =
  | 'task'
  | 'problem'
  | 'accountability_case'
  | 'campaign'
  | 'commitment'
  | 'review'
  | 'assessment'
  | 'circular'
  | 'reinspection'
  | 'negative_list'
  | 'org';

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
    if (events.length === 0) return;
    // One query for the heads of every stream touched, one multi-row INSERT for the events:
    // a batch of a hundred tasks costs two round trips, not two hundred.
    const streams = [...new Set(events.map((e) => e.streamId))];
    const rows = await preparedQuery<{ stream_id: string; seq: number; hash: string }>(
      manager,
      `SELECT DISTINCT ON (stream_id) stream_id, seq, hash FROM audit_events
        WHERE stream_id = ANY($1::uuid[]) ORDER BY stream_id, seq DESC`,
      [streams],
    );
    const heads = new Map(rows.map((r) => [r.stream_id, { seq: r.seq, hash: r.hash }]));
    const columns: unknown[][] = [[], [], [], [], [], [], [], [], [], [], []];
    for (const e of events) {
      const head = heads.get(e.streamId) ?? { seq: 0, hash: GENESIS_HASH };
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
      ].forEach((v, i) => columns[i].push(v));
      heads.set(e.streamId, { seq: fields.seq, hash });
    }
    await manager.query(
      `INSERT INTO audit_events
         (stream_type, stream_id, seq, at, actor_id, type, from_state, to_state, data, prev_hash, hash)
       SELECT a, b, c, d, e, f, g, h, i, j, k FROM unnest($1::text[], $2::uuid[], $3::int[], $4::timestamptz[], $5::uuid[], $6::text[],
                            $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[])
       -- unnest keeps the order, so seq ascends within each stream as the chain requires
       WITH ORDINALITY AS x(a, b, c, d, e, f, g, h, i, j, k, n) ORDER BY n`,
      columns,
    );
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
