import { eventHash, GENESIS_HASH, type HashedFields } from './audit-hash';
import { normalise } from './canonical-json';

/**
 * The hash chain's rules as pure functions: how new events link onto their streams, and
 * whether a stored event still links onto the one before it. AuditLog and verifyAuditChain
 * apply them; the SQL is in AuditRepository.
 */

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

/** The last event of a stream: the next one gets `seq + 1` and links to `hash`. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** An event as stored: every field its hash covers, and the hash. */
export interface ChainedEvent extends HashedFields {
  hash: string;
}

/**
 * Links `events` onto the heads of their streams, in order: each gets the next seq of its
 * stream and the hash of the event before it (GENESIS_HASH for a stream's first event), so
 * several events of one stream in a batch chain onto each other.
 */
export function chainEvents(
  events: readonly AuditEventInput[],
  heads: ReadonlyMap<string, ChainHead>,
): ChainedEvent[] {
  const current = new Map(heads);
  return events.map((e) => {
    const head = current.get(e.streamId) ?? { seq: 0, hash: GENESIS_HASH };
    const fields: HashedFields = {
      streamType: e.streamType,
      streamId: e.streamId,
      seq: head.seq + 1,
      at: e.at,
      actorId: e.actorId,
      type: e.type,
      fromState: e.fromState ?? null,
      toState: e.toState ?? null,
      data: normalise(e.data),
      prevHash: head.hash,
    };
    const hash = eventHash(fields);
    current.set(e.streamId, { seq: fields.seq, hash });
    return { ...fields, hash };
  });
}

/**
 * What is wrong with `event` read in (stream, seq) order right after `previous` (null for the
 * very first event read), or null when it links: its seq follows, its prev_hash is the hash
 * of the event before it, and its hash still covers its content.
 */
export function chainLinkProblem(
  previous: { streamId: string; seq: number; hash: string } | null,
  event: ChainedEvent,
): string | null {
  const sameStream = previous?.streamId === event.streamId;
  const expectedSeq = sameStream ? previous.seq + 1 : 1;
  const expectedPrev = sameStream ? previous.hash : GENESIS_HASH;
  if (event.seq !== expectedSeq) {
    return `sequence gap: expected seq ${expectedSeq}, found ${event.seq}`;
  }
  if (event.prevHash !== expectedPrev) {
    return 'prev_hash does not match the hash of the event before it';
  }
  if (eventHash(event) !== event.hash) {
    return 'hash does not match the content: the row was altered';
  }
  return null;
}
