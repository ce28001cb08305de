import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { DataSource } from 'typeorm';
import {
  anchorProblem,
  assertEd25519,
  payloadOf,
  firstAnchorBreak,
  lastAnchorIn,
  signAnchor,
  type AnchorBreak,
  type SignedAnchor,
} from './anchor';
import { AuditRepository } from './audit.repository';

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

/**
 * Signs every stream's head, keeps the anchor in `audit_anchors` and appends it as one JSON
 * line to `file` (outside the database), under an advisory lock so concurrent anchorers append
 * in order. The line is written before the row commits: an anchor in the file whose row was
 * rolled back is still a true statement of heads that were committed.
 */
export async function createAnchor(
  db: DataSource,
  options: { key: KeyObject; at: Date; file: string },
  repo: AuditRepository = new AuditRepository(),
): Promise<SignedAnchor> {
  return db.transaction(async (m) => {
    await repo.lockAnchoring(m);
    const database = await repo.databaseName(m);
    const anchor = signAnchor(
      { at: options.at, database, heads: await repo.allHeads(m) },
      options.key,
    );
    await repo.insertAnchor(m, options.at, anchor);
    await mkdir(dirname(options.file), { recursive: true });
    await appendFile(options.file, `${JSON.stringify(anchor)}\n`, { mode: 0o640 });
    return anchor;
  });
}

/** The latest anchor of this database: from the file when it has one, else from the table. */
export async function latestAnchor(
  db: DataSource,
  file: string,
  repo: AuditRepository = new AuditRepository(),
): Promise<{ anchor: SignedAnchor; source: string } | null> {
  const database = await repo.databaseName(db.manager);
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
  const anchor = await repo.latestAnchor(db.manager);
  if (!anchor) return null;
  return {
    anchor,
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
  repo: AuditRepository = new AuditRepository(),
): Promise<AnchorCheck> {
  const latest = await latestAnchor(db, options.file, repo);
  if (!latest) return { kind: 'none' };
  const { anchor, source } = latest;
  const problem = anchorProblem(anchor, options.publicKey);
  if (problem) return { kind: 'bad_anchor', anchor, source, problem };
  for (let i = 0; i < anchor.heads.length; i += BATCH) {
    const heads = anchor.heads.slice(i, i + BATCH);
    const stored = await repo.eventsAt(db.manager, heads);
    const found = firstAnchorBreak(heads, (s, seq) => stored.get(`${s}/${seq}`), anchor.at);
    if (found) {
      if (!found.streamType) {
        found.streamType = await repo.streamTypeOf(db.manager, found.streamId);
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
