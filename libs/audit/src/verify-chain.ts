import type { DataSource } from 'typeorm';
import { eventHash, GENESIS_HASH } from './audit-hash';

export interface ChainBreak {
  eventId: string;
  streamType: string;
  streamId: string;
  seq: number;
  problem: string;
}

export interface ChainReport {
  events: number;
  streams: number;
  firstBreak: ChainBreak | null;
}

interface Row {
  id: string;
  stream_type: string;
  stream_id: string;
  seq: number;
  at: Date;
  actor_id: string | null;
  type: string;
  from_state: string | null;
  to_state: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
}

const BATCH = 5000;

/**
 * Walks every chain in (stream, seq) order in batches (keyset pagination, constant memory)
 * and stops at the first event whose sequence, link or hash does not hold.
 */
export async function verifyAuditChain(db: DataSource): Promise<ChainReport> {
  let events = 0;
  let streams = 0;
  let previous: { streamId: string; seq: number; hash: string } | null = null;
  let cursor: { streamId: string; seq: number } | null = null;
  for (;;) {
    const rows: Row[] = await db.query(
      `SELECT id::text AS id, stream_type, stream_id, seq, at, actor_id, type, from_state, to_state,
              data, prev_hash, hash
         FROM audit_events
        ${cursor ? 'WHERE (stream_id, seq) > ($2::uuid, $3::int)' : ''}
        ORDER BY stream_id, seq
        LIMIT $1`,
      cursor ? [BATCH, cursor.streamId, cursor.seq] : [BATCH],
    );
    for (const r of rows) {
      events++;
      const sameStream: boolean = previous?.streamId === r.stream_id;
      if (!sameStream) streams++;
      const expectedSeq: number = sameStream ? previous!.seq + 1 : 1;
      const expectedPrev: string = sameStream ? previous!.hash : GENESIS_HASH;
      const at = { eventId: r.id, streamType: r.stream_type, streamId: r.stream_id, seq: r.seq };
      if (r.seq !== expectedSeq) {
        return {
          events,
          streams,
          firstBreak: {
            ...at,
            problem: `sequence gap: expected seq ${expectedSeq}, found ${r.seq}`,
          },
        };
      }
      if (r.prev_hash !== expectedPrev) {
        return {
          events,
          streams,
          firstBreak: {
            ...at,
            problem: 'prev_hash does not match the hash of the event before it',
          },
        };
      }
      const recomputed = eventHash({
        streamType: r.stream_type,
        streamId: r.stream_id,
        seq: r.seq,
        at: r.at,
        actorId: r.actor_id,
        type: r.type,
        fromState: r.from_state,
        toState: r.to_state,
        data: r.data,
        prevHash: r.prev_hash,
      });
      if (recomputed !== r.hash) {
        return {
          events,
          streams,
          firstBreak: { ...at, problem: 'hash does not match the content: the row was altered' },
        };
      }
      previous = { streamId: r.stream_id, seq: r.seq, hash: r.hash };
    }
    if (rows.length < BATCH) return { events, streams, firstBreak: null };
    const last = rows[rows.length - 1];
    cursor = { streamId: last.stream_id, seq: last.seq };
  }
}
