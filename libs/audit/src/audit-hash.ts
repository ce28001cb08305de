import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

/** Everything an event's hash covers. */
export interface HashedFields {
  streamType: string;
  streamId: string;
  seq: number;
  at: Date;
  actorId: string | null;
  type: string;
  fromState: string | null;
  toState: string | null;
  data: unknown;
  prevHash: string;
}

export function eventHash(e: HashedFields): string {
  return createHash('sha256')
    .update(
      canonicalJson([
        e.prevHash,
        e.streamType,
        e.streamId,
        e.seq,
        e.at.toISOString(),
        e.actorId,
        e.type,
        e.fromState,
        e.toState,
        e.data,
      ]),
    )
    .digest('hex');
}
