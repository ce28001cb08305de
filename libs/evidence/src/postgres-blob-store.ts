import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import {
  type BlobInfo,
  type BlobStore,
  EvidenceCorruptedError,
  EvidenceMissingError,
} from './blob-store';

/** Bytes per row of blob_chunks: large enough for few round trips, small enough to never matter in memory. */
export const BLOB_CHUNK_BYTES = 256 * 1024;

/** Rows `list` reads at a time. */
const LIST_PAGE = 1000;

interface BlobRow {
  sha256: string;
  size: string;
  chunk_size: number;
  chunks: number;
}

/** Cuts a stream into pieces of exactly `size` bytes (the last one may be shorter). */
async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const piece of source) {
    let rest = piece;
    while (length + rest.length >= size) {
      const take = size - length;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      length = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      pending.push(rest);
      length += rest.length;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}

/**
 * Evidence content in this service's own PostgreSQL database (DUBAN_ATTACHMENTS_URL=postgres:,
 * the default): a `blobs` row per digest and its bytes in `blob_chunks` rows of 256 KiB,
 * written and read one chunk at a time. Written through the caller's transaction, it is
 * committed together with the attachment that cites it, and it is in every backup of the
 * database. Two uploads of the same new content at once: the second waits on the first's
 * `blobs` row and then finds it stored.
 */
export class PostgresBlobStore implements BlobStore {
  readonly description = 'postgres:';
  readonly transactional = true;

  constructor(private readonly db: DataSource) {}

  async putFile(
    blob: BlobInfo,
    path: string,
    manager?: EntityManager,
  ): Promise<'stored' | 'already_stored'> {
    if (!manager) {
      return this.db.transaction((m) => this.putFile(blob, path, m));
    }
    const chunks = Math.ceil(blob.size / BLOB_CHUNK_BYTES);
    const inserted: unknown[] = await manager.query(
      `INSERT INTO blobs (sha256, size, chunk_size, chunks) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
      [blob.sha256, blob.size, BLOB_CHUNK_BYTES, chunks],
    );
    if (inserted.length === 0) return 'already_stored';
    let seq = 0;
    const file = createReadStream(path, { highWaterMark: BLOB_CHUNK_BYTES });
    for await (const data of rechunk(file, BLOB_CHUNK_BYTES)) {
      await manager.query(`INSERT INTO blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)`, [
        blob.sha256,
        seq++,
        data,
      ]);
    }
    if (seq !== chunks) {
      // The file changed under us since it was hashed; roll the caller's transaction back.
      throw new Error(`${path}: read ${seq} chunks where ${chunks} were expected`);
    }
    return 'stored';
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const rows: BlobRow[] = await this.db.query(
      `SELECT sha256, size, chunk_size, chunks FROM blobs WHERE sha256 = $1`,
      [sha256],
    );
    return rows[0] ? { sha256, size: Number(rows[0].size) } : null;
  }

  async readRaw(sha256: string): Promise<Readable> {
    const rows: BlobRow[] = await this.db.query(
      `SELECT sha256, size, chunk_size, chunks FROM blobs WHERE sha256 = $1`,
      [sha256],
    );
    if (!rows[0]) throw new EvidenceMissingError(sha256, this.description);
    const { chunks } = rows[0];
    const db = this.db;
    // One query per chunk: at most one chunk in memory, and no connection held between reads.
    async function* chunksOf(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < chunks; seq++) {
        const found: { data: Buffer }[] = await db.query(
          `SELECT data FROM blob_chunks WHERE sha256 = $1 AND seq = $2`,
          [sha256, seq],
        );
        if (!found[0])
          throw new EvidenceCorruptedError(sha256, `chunk ${seq} of ${chunks} is missing`);
        yield found[0].data;
      }
    }
    return Readable.from(chunksOf(), { objectMode: false });
  }

  async *list(): AsyncIterable<BlobInfo> {
    let after = '';
    for (;;) {
      const rows: BlobRow[] = await this.db.query(
        `SELECT sha256, size FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT ${LIST_PAGE}`,
        [after],
      );
      for (const r of rows) yield { sha256: r.sha256, size: Number(r.size) };
      if (rows.length < LIST_PAGE) return;
      after = rows[rows.length - 1].sha256;
    }
  }

  async close(): Promise<void> {
    // The data source belongs to the application.
  }
}
