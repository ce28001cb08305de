import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** One stream's head: its id, its last seq (= its event count) and that event's hash. */
export type StreamHead = readonly [streamId: string, seq: number, hash: string];

/** What the signature covers; the heads are covered through `root`. */
export interface AnchorPayload {
  v: 1;
  /** When the heads were read (ISO 8601). */
  at: string;
  /** current_database(): one anchor file may serve several databases. */
  database: string;
  streams: number;
  events: number;
  /** SHA-256 over the canonical JSON of the heads sorted by stream id. */
  root: string;
  /** Which key signed it: the first 16 hex digits of SHA-256 over its public key (SPKI DER). */
  keyId: string;
}

export interface SignedAnchor extends AnchorPayload {
  /** Ed25519 over canonicalJson(payload), base64. */
  signature: string;
  heads: StreamHead[];
}

const byStream = (a: StreamHead, b: StreamHead) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

export function headsRoot(heads: readonly StreamHead[]): string {
  const sorted = [...heads].sort(byStream);
  return createHash('sha256').update(canonicalJson(sorted)).digest('hex');
}

export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Throws unless `key` is an Ed25519 key of the given type. */
export function assertEd25519(key: KeyObject, type: 'private' | 'public'): void {
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== type) {
    throw new Error(
      `the audit key must be an Ed25519 ${type} key (PEM), not ${key.asymmetricKeyType ?? key.type}`,
    );
  }
}

export function payloadOf(a: AnchorPayload): AnchorPayload {
  return {
    v: a.v,
    at: a.at,
    database: a.database,
    streams: a.streams,
    events: a.events,
    root: a.root,
    keyId: a.keyId,
  };
}

export function signAnchor(
  input: { at: Date; database: string; heads: readonly StreamHead[] },
  privateKey: KeyObject,
): SignedAnchor {
  assertEd25519(privateKey, 'private');
  const heads = [...input.heads].sort(byStream);
  const payload: AnchorPayload = {
    v: 1,
    at: input.at.toISOString(),
    database: input.database,
    streams: heads.length,
    events: heads.reduce((n, h) => n + h[1], 0),
    root: headsRoot(heads),
    keyId: keyIdOf(privateKey),
  };
  const signature = sign(null, Buffer.from(canonicalJson(payload)), privateKey).toString('base64');
  return { ...payload, signature, heads };
}

/**
 * Whether the anchor is whole (its heads give its root and counts) and, with a key, signed by
 * it. Returns the problem, or null when it holds.
 */
export function anchorProblem(anchor: SignedAnchor, publicKey?: KeyObject): string | null {
  if (anchor.v !== 1) return `unknown anchor version ${String(anchor.v)}`;
  if (!Array.isArray(anchor.heads)) return 'the anchor has no heads';
  if (headsRoot(anchor.heads) !== anchor.root) return "the anchor's heads do not give its root";
  if (anchor.heads.length !== anchor.streams) return "the anchor's stream count is wrong";
  if (anchor.heads.reduce((n, h) => n + h[1], 0) !== anchor.events) {
    return "the anchor's event count is wrong";
  }
  if (publicKey) {
    if (keyIdOf(publicKey) !== anchor.keyId) {
      return `the anchor was signed by key ${anchor.keyId}, not by this key (${keyIdOf(publicKey)})`;
    }
    const ok = verify(
      null,
      Buffer.from(canonicalJson(payloadOf(anchor))),
      publicKey,
      Buffer.from(anchor.signature, 'base64'),
    );
    if (!ok) return 'the anchor signature is invalid';
  }
  return null;
}

/** The event now stored at an anchored head's (stream, seq), if any. */
export interface StoredEvent {
  id: string;
  streamType: string;
  hash: string;
}

export interface AnchorBreak {
  streamId: string;
  seq: number;
  /** The event now at that place, when there is one. */
  eventId: string | null;
  streamType: string | null;
  problem: string;
}

/**
 * Compares each anchored head with what is stored at its place now: an event deleted or
 * rewritten (even with a recomputed hash chain) up to the anchor no longer matches. Events
 * appended after the anchor are not looked at here (the hash chain covers them).
 */
export function firstAnchorBreak(
  heads: readonly StreamHead[],
  stored: (streamId: string, seq: number) => StoredEvent | undefined,
  anchoredAt: string,
): AnchorBreak | null {
  for (const [streamId, seq, hash] of heads) {
    const event = stored(streamId, seq);
    if (!event) {
      return {
        streamId,
        seq,
        eventId: null,
        streamType: null,
        problem: `event seq ${seq} anchored at ${anchoredAt} is missing: it was deleted`,
      };
    }
    if (event.hash !== hash) {
      return {
        streamId,
        seq,
        eventId: event.id,
        streamType: event.streamType,
        problem: `hash differs from the one anchored at ${anchoredAt}: the record up to this event was rewritten`,
      };
    }
  }
  return null;
}

/** The last anchor of `database` in a JSON-lines text; lines that do not parse are skipped. */
export function lastAnchorIn(lines: Iterable<string>, database: string): SignedAnchor | null {
  let last: SignedAnchor | null = null;
  for (const line of lines) {
    const anchor = parseAnchorLine(line);
    if (anchor && anchor.database === database) last = anchor;
  }
  return last;
}

export function parseAnchorLine(line: string): SignedAnchor | null {
  if (!line.trim()) return null;
  try {
    const value = JSON.parse(line) as SignedAnchor;
    return value && typeof value === 'object' && typeof value.root === 'string' ? value : null;
  } catch {
    return null;
  }
}
