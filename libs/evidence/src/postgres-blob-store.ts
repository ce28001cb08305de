import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import {
  type BlobInfo,
  type BlobStore,
  checkContent,
  EvidenceCorruptedError,
  EvidenceMissingError,
} from './blob-store';
import { BlobsRepository } from './blobs.repository';

/** Bytes per row of blob_chunks: large enough for few round trips, small enough to never matter in memory. */
export const BLOB_CHUNK_BYTES = 256 * 1024;

/** Larger contents are checked by reading them through here instead (see check). */
const CHECK_IN_DATABASE_MAX_BYTES = 64 * 1024 * 1024;

/** Downloads read a chunk in slices of this size (see readRaw). */
const READ_SLICE_BYTES = 16 * 1024;

/** Rows `list` reads at a time. */
const LIST_PAGE = 1000;

/** Cuts a stream into pieces of exactly `size` bytes (the last one may be shorter). */
async function* rechunk(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const piece of source) {
    let rest = piece;
    while (length + rest.length >= size) {
      const take = size - length;
      if (length === 0) {
        // The usual case (a file read in pieces of `size`): no copy.
        yield rest.subarray(0, take);
        rest = rest.subarray(take);
        continue;
      }
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
  if (length > 0) yield pending.length === 1 ? pending[0] : Buffer.concat(pending);
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

  private readonly blobs = new BlobsRepository();

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
    const inserted = await this.blobs.insertBlob(manager, {
      sha256: blob.sha256,
      size: blob.size,
      chunkSize: BLOB_CHUNK_BYTES,
      chunks,
    });
    if (!inserted) return 'already_stored';
    let seq = 0;
    const file = createReadStream(path, { highWaterMark: BLOB_CHUNK_BYTES });
    for await (const data of rechunk(file, BLOB_CHUNK_BYTES)) {
      await this.blobs.insertChunk(manager, blob.sha256, seq++, data);
    }
    if (seq !== chunks) {
      // The file changed under us since it was hashed; roll the caller's transaction back.
      throw new Error(`${path}: read ${seq} chunks where ${chunks} were expected`);
    }
    return 'stored';
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const found = await this.blobs.find(this.db.manager, sha256);
    return found ? { sha256, size: found.size } : null;
  }

  async readRaw(sha256: string): Promise<Readable> {
    const found = await this.blobs.find(this.db.manager, sha256);
    if (!found) throw new EvidenceMissingError(sha256, this.description);
    const { chunks } = found;
    const { blobs, db } = this;
    // One query per 16 KiB slice of a chunk, no connection held between reads. pg hands bytea
    // over as hex text and gathers a result row larger than one socket read in doubling
    // buffers: whole 256 KiB rows made garbage large enough to outlive the young generation, so
    // the api grew with every download until a full GC (bench/evidence-stream.ts). A slice
    // reads only its own pages, the chunks being stored uncompressed (STORAGE EXTERNAL).
    async function* chunksOf(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < chunks; seq++) {
        for (let offset = 0; ; offset += READ_SLICE_BYTES) {
          const data = await blobs.chunkSlice(db.manager, sha256, seq, offset, READ_SLICE_BYTES);
          if (!data) {
            throw new EvidenceCorruptedError(sha256, `chunk ${seq} of ${chunks} is missing`);
          }
          if (data.length > 0) yield data;
          if (data.length < READ_SLICE_BYTES) break;
        }
      }
    }
    return Readable.from(chunksOf(), { objectMode: false });
  }

  /**
   * Checks the stored content against its digest inside PostgreSQL (sha256() over the chunks in
   * order), so that nothing crosses to this process: a download checked first is then read once.
   */
  async check(blob: BlobInfo): Promise<void> {
    // sha256() needs the content as one value in the server's memory: only for the usual sizes.
    if (blob.size > CHECK_IN_DATABASE_MAX_BYTES) {
      await checkContent(await this.readRaw(blob.sha256), blob);
      return;
    }
    const r = await this.blobs.digestInDatabase(this.db.manager, blob.sha256);
    if (!r) throw new EvidenceMissingError(blob.sha256, this.description);
    if (r.storedChunks !== r.chunks) {
      throw new EvidenceCorruptedError(
        blob.sha256,
        `${r.storedChunks} of its ${r.chunks} chunks are stored`,
      );
    }
    const size = r.storedBytes;
    if (size !== blob.size || r.size !== blob.size) {
      throw new EvidenceCorruptedError(
        blob.sha256,
        `${size} bytes where ${blob.size} were recorded`,
      );
    }
    const digest = r.digest ?? createHash('sha256').digest('hex');
    if (digest !== blob.sha256) {
      throw new EvidenceCorruptedError(blob.sha256, `its content hashes to ${digest}`);
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    let after = '';
    for (;;) {
      const rows = await this.blobs.page(this.db.manager, after, LIST_PAGE);
      for (const r of rows) yield r;
      if (rows.length < LIST_PAGE) return;
      after = rows[rows.length - 1].sha256;
    }
  }

  async close(): Promise<void> {
    // The data source belongs to the application.
  }
}
