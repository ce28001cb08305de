import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { DataSource, EntityManager } from 'typeorm';
import {
  anchorProblem,
  assertEd25519,
  payloadOf,
  firstAnchorBreak,
  lastAnchorIn,
  signAnchor,
  type AnchorBreak,
  type SignedAnchor,
  type StoredEvent,
  type StreamHead,
} from './anchor';

/** Serialises anchors between workers sharing a database (two at once would be harmless too). */
const ANCHOR_LOCK_KEY = 727_002;
const BATCH = 5000;

/** Reads an Ed25519 private key (PEM); throws with the file's name when it is not one. */
export async function readAnchorKey(file: string): Promise<KeyObject> {
  const pem = await readFile(file, 'utf8');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new Error(`${file}: not a PEM private key (${(e as Error).message})`, { cause: e });
  }
  assertEd25519(key, 'private');
  return key;
}

export const publicKeyOf = (key: KeyObject): KeyObject => createPublicKey(key);

/** Every stream's head now, in one statement (one snapshot). */
async function readHeads(m: EntityManager | DataSource): Promise<StreamHead[]> {
  const rows: { stream_id: string; seq: number; hash: string }[] = await m.query(
    `SELECT DISTINCT ON (stream_id) stream_id::text AS stream_id, seq, hash
       FROM audit_events ORDER BY stream_id, seq DESC`,
  );
  return rows.map((r) => [r.stream_id, r.seq, r.hash] as const);
}

/**
 * Signs every stream's head, keeps the anchor in `audit_anchors` and appends it as one JSON
 * line to `file` (outside the database), under an advisory lock so concurrent anchorers append
 * in order. The line is written before the row commits: an anchor in the file whose row was
 * rolled back is still a true statement of heads that were committed.
 */
export async function createAnchor(
  db: DataSource,
  options: { key: KeyObject; at: Date; file: string },
): Promise<SignedAnchor> {
  return db.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [ANCHOR_LOCK_KEY]);
    const [{ database }]: { database: string }[] = await m.query(
      'SELECT current_database() AS database',
    );
    const anchor = signAnchor({ at: options.at, database, heads: await readHeads(m) }, options.key);
    await m.query(
      `INSERT INTO audit_anchors (at, database, stream_count, event_count, root, key_id, signature, heads)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        options.at,
        database,
        anchor.streams,
        anchor.events,
        anchor.root,
        anchor.keyId,
        anchor.signature,
        JSON.stringify(anchor.heads),
      ],
    );
    await mkdir(dirname(options.file), { recursive: true });
    await appendFile(options.file, `${JSON.stringify(anchor)}\n`, { mode: 0o640 });
    return anchor;
  });
}

interface AnchorRow {
  at: Date;
  database: string;
  stream_count: number;
  event_count: string;
  root: string;
  key_id: string;
  signature: string;
  heads: StreamHead[];
}

/** The latest anchor of this database: from the file when it has one, else from the table. */
export async function latestAnchor(
  db: DataSource,
  file: string,
): Promise<{ anchor: SignedAnchor; source: string } | null> {
  const [{ database }]: { database: string }[] = await db.query(
    'SELECT current_database() AS database',
  );
  if (existsSync(file)) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    const collected: string[] = [];
    let last: SignedAnchor | null = null;
    for await (const line of lines) {
      collected.push(line);
      // Keep memory bounded: fold every 100 lines.
      if (collected.length >= 100) {
        last = lastAnchorIn(collected.splice(0), database) ?? last;
      }
    }
    last = lastAnchorIn(collected, database) ?? last;
    if (last) return { anchor: last, source: file };
  }
  const rows: AnchorRow[] = await db.query(
    `SELECT at, database, stream_count, event_count::text AS event_count, root, key_id, signature,
            heads
       FROM audit_anchors ORDER BY id DESC LIMIT 1`,
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    anchor: {
      v: 1,
      at: r.at.toISOString(),
      database: r.database,
      streams: r.stream_count,
      events: Number(r.event_count),
      root: r.root,
      keyId: r.key_id,
      signature: r.signature,
      heads: r.heads,
    },
    source: 'table audit_anchors',
  };
}

export type AnchorCheck =
  | { kind: 'ok'; anchor: SignedAnchor; source: string; signatureChecked: boolean }
  | { kind: 'none' }
  | { kind: 'bad_anchor'; anchor: SignedAnchor; source: string; problem: string }
  | { kind: 'break'; anchor: SignedAnchor; source: string; at: AnchorBreak };

/**
 * Checks the stored record against the latest anchor: the anchor itself (its heads give its
 * root; with the public key, its signature), then every anchored head against the event now
 * at its place.
 */
export async function checkLatestAnchor(
  db: DataSource,
  options: { file: string; publicKey?: KeyObject },
): Promise<AnchorCheck> {
  const latest = await latestAnchor(db, options.file);
  if (!latest) return { kind: 'none' };
  const { anchor, source } = latest;
  const problem = anchorProblem(anchor, options.publicKey);
  if (problem) return { kind: 'bad_anchor', anchor, source, problem };
  for (let i = 0; i < anchor.heads.length; i += BATCH) {
    const heads = anchor.heads.slice(i, i + BATCH);
    const rows: {
      stream_id: string;
      seq: number;
      id: string;
      stream_type: string;
      hash: string;
    }[] = await db.query(
      `SELECT e.stream_id::text AS stream_id, e.seq, e.id::text AS id, e.stream_type, e.hash
           FROM unnest($1::uuid[], $2::int[]) AS x(stream_id, seq)
           JOIN audit_events e ON e.stream_id = x.stream_id AND e.seq = x.seq`,
      [heads.map((h) => h[0]), heads.map((h) => h[1])],
    );
    const stored = new Map<string, StoredEvent>(
      rows.map((r) => [
        `${r.stream_id}/${r.seq}`,
        { id: r.id, streamType: r.stream_type, hash: r.hash },
      ]),
    );
    const found = firstAnchorBreak(heads, (s, seq) => stored.get(`${s}/${seq}`), anchor.at);
    if (found) {
      if (!found.streamType) {
        const [known]: { stream_type: string }[] = await db.query(
          'SELECT stream_type FROM audit_events WHERE stream_id = $1 LIMIT 1',
          [found.streamId],
        );
        found.streamType = known?.stream_type ?? null;
      }
      return { kind: 'break', anchor, source, at: found };
    }
  }
  return { kind: 'ok', anchor, source, signatureChecked: options.publicKey !== undefined };
}

/**
 * POSTs the anchor without its heads (the signed payload, its signature and nothing else) as
 * JSON to a third party, e.g. another organisation's log. Throws on a failure or non-2xx answer;
 * the anchor is already in the table and the file by then.
 */
export async function postAnchor(
  url: string,
  anchor: SignedAnchor,
  timeoutMs: number,
): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...payloadOf(anchor), signature: anchor.signature }),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`anchor webhook answered ${res.status}`);
}
