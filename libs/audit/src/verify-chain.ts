import type { DataSource } from 'typeorm';
import { chainLinkProblem } from './audit-chain';
import { AuditRepository } from './audit.repository';

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

const BATCH = 5000;

type Link = { streamId: string; seq: number; hash: string };

/**
 * Walks every chain in (stream, seq) order in batches (keyset pagination, constant memory)
 * and stops at the first event whose sequence, link or hash does not hold.
 */
export async function verifyAuditChain(
  db: DataSource,
  repo: AuditRepository = new AuditRepository(),
): Promise<ChainReport> {
  let events = 0;
  let streams = 0;
  let previous = null as Link | null;
  let cursor: { streamId: string; seq: number } | null = null;
  for (;;) {
    const batch = await repo.chainAfter(db.manager, cursor, BATCH);
    for (const e of batch) {
      events++;
      if (previous?.streamId !== e.streamId) streams++;
      const problem = chainLinkProblem(previous, e);
      if (problem) {
        return {
          events,
          streams,
          firstBreak: {
            eventId: e.id,
            streamType: e.streamType,
            streamId: e.streamId,
            seq: e.seq,
            problem,
          },
        };
      }
      previous = { streamId: e.streamId, seq: e.seq, hash: e.hash };
    }
    if (batch.length < BATCH) return { events, streams, firstBreak: null };
    const last = batch[batch.length - 1];
    cursor = { streamId: last.streamId, seq: last.seq };
  }
}
