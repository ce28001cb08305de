import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import {
  AttachmentsRepository,
  REFERENCED_PAGE,
  type ReferencedContent,
} from './attachments.repository';
import { type BlobStore, EvidenceMissingError } from './blob-store';
import { filePathOf } from './file-blob-store';

/** Distinct digests the attachments cite, with the size they recorded, a page at a time. */
async function* referencedContents(db: DataSource): AsyncGenerator<ReferencedContent> {
  const attachments = new AttachmentsRepository();
  let after = '';
  for (;;) {
    const rows = await attachments.referencedPage(db.manager, after);
    yield* rows;
    if (rows.length < REFERENCED_PAGE) return;
    after = rows[rows.length - 1].sha256;
  }
}

export interface StoreProblem {
  sha256: string;
  problem: string;
  /** Up to three file names of attachments citing it (none for unreferenced content). */
  names: string[];
}

export interface VerifyReport {
  store: string;
  /** Stored contents read and checked. */
  checked: number;
  intact: number;
  /** Stored contents whose bytes or size do not match their digest or record. */
  altered: StoreProblem[];
  /** Digests attachments cite with nothing stored under them. */
  missing: StoreProblem[];
}

/**
 * Reads every content of the store through, checking it against its SHA-256 (its name), and
 * every digest the attachments cite, which must be stored with the size they recorded.
 */
export async function verifyStore(store: BlobStore, db: DataSource): Promise<VerifyReport> {
  const report: VerifyReport = {
    store: store.description,
    checked: 0,
    intact: 0,
    altered: [],
    missing: [],
  };
  const stored = new Map<string, number>();
  const badSoFar = new Set<string>();
  for await (const blob of store.list()) {
    report.checked++;
    stored.set(blob.sha256, blob.size);
    try {
      await store.check(blob);
      report.intact++;
    } catch (e) {
      report.altered.push({ sha256: blob.sha256, problem: (e as Error).message, names: [] });
      badSoFar.add(blob.sha256);
    }
  }
  const byDigest = new Map(report.altered.map((p) => [p.sha256, p]));
  for await (const ref of referencedContents(db)) {
    const size = stored.get(ref.sha256);
    if (size === undefined) {
      report.missing.push({
        sha256: ref.sha256,
        problem: new EvidenceMissingError(ref.sha256, store.description).message,
        names: ref.names,
      });
    } else if (badSoFar.has(ref.sha256)) {
      byDigest.get(ref.sha256)!.names.push(...ref.names);
    } else if (size !== ref.size) {
      report.intact--;
      report.altered.push({
        sha256: ref.sha256,
        problem: `stored with ${size} bytes where the attachments recorded ${ref.size}`,
        names: ref.names,
      });
    }
  }
  return report;
}

export interface MigrateReport {
  from: string;
  to: string;
  /** Digests the attachments cite. */
  referenced: number;
  copied: number;
  alreadyStored: number;
  /** Neither in the directory nor in the store. */
  missing: string[];
  /** In the directory with other bytes than their digest: not copied. */
  altered: string[];
}

async function digestOf(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Copies the files of an old DUBAN_ATTACHMENTS_DIR (`<dir>/ab/cd/<sha256>`) that attachments
 * cite into `store`. Each file is hashed first and copied only when it matches the digest and
 * size its attachments recorded; content already in the store is left as it is, so running it
 * again copies nothing twice. The directory is only read.
 */
export async function migrateDirectory(
  store: BlobStore,
  db: DataSource,
  directory: string,
): Promise<MigrateReport> {
  const report: MigrateReport = {
    from: directory,
    to: store.description,
    referenced: 0,
    copied: 0,
    alreadyStored: 0,
    missing: [],
    altered: [],
  };
  for await (const ref of referencedContents(db)) {
    report.referenced++;
    if (await store.stat(ref.sha256)) {
      report.alreadyStored++;
      continue;
    }
    const path = filePathOf(directory, ref.sha256);
    const found = await stat(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (!found?.isFile()) {
      report.missing.push(ref.sha256);
      continue;
    }
    const actual = await digestOf(path);
    if (actual.sha256 !== ref.sha256 || actual.size !== ref.size) {
      report.altered.push(ref.sha256);
      continue;
    }
    const outcome = await store.putFile(actual, path);
    if (outcome === 'stored') report.copied++;
    else report.alreadyStored++;
  }
  return report;
}
