import type { EntityManager } from 'typeorm';

/** A stored content's row: its size and how it is cut into chunks. */
export interface BlobRecord {
  sha256: string;
  size: number;
  chunkSize: number;
  chunks: number;
}

/** What PostgreSQL computes over a stored content's chunks to check it (see digestInDatabase). */
export interface BlobDigest {
  size: number;
  chunks: number;
  /** Chunk rows found. */
  storedChunks: number;
  /** Their bytes together. */
  storedBytes: number;
  /** SHA-256 of the chunks in order, hex; null when there are none. */
  digest: string | null;
}

interface BlobRow {
  sha256: string;
  size: string;
  chunk_size: number;
  chunks: number;
}

/**
 * Every statement about evidence content kept in the database (DUBAN_ATTACHMENTS_URL=postgres:);
 * the only writer of `blobs` and `blob_chunks`. PostgresBlobStore decides how content is cut and
 * read; this holds the SQL. Stateless: the store creates it (it is not a Nest provider, the store
 * being chosen by configuration).
 */
export class BlobsRepository {
  /** The blob's row; false when the digest is stored already (the caller then writes no chunks). */
  async insertBlob(m: EntityManager, blob: BlobRecord): Promise<boolean> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO blobs (sha256, size, chunk_size, chunks) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
      [blob.sha256, blob.size, blob.chunkSize, blob.chunks],
    );
    return inserted.length > 0;
  }

  async insertChunk(m: EntityManager, sha256: string, seq: number, data: Buffer): Promise<void> {
    await m.query(`INSERT INTO blob_chunks (sha256, seq, data) VALUES ($1, $2, $3)`, [
      sha256,
      seq,
      data,
    ]);
  }

  async find(m: EntityManager, sha256: string): Promise<BlobRecord | null> {
    const rows: BlobRow[] = await m.query(
      `SELECT sha256, size, chunk_size, chunks FROM blobs WHERE sha256 = $1`,
      [sha256],
    );
    const r = rows[0];
    return r
      ? { sha256: r.sha256, size: Number(r.size), chunkSize: r.chunk_size, chunks: r.chunks }
      : null;
  }

  /**
   * `length` bytes of chunk `seq` from byte `offset` (0-based); null when the chunk is missing.
   * Only those pages are read, the chunks being stored uncompressed (STORAGE EXTERNAL).
   */
  async chunkSlice(
    m: EntityManager,
    sha256: string,
    seq: number,
    offset: number,
    length: number,
  ): Promise<Buffer | null> {
    const found: { data: Buffer }[] = await m.query(
      `SELECT substring(data FROM $3 FOR $4) AS data FROM blob_chunks
        WHERE sha256 = $1 AND seq = $2`,
      [sha256, seq, offset + 1, length],
    );
    return found[0]?.data ?? null;
  }

  /**
   * The content's SHA-256 computed inside PostgreSQL (sha256() over the chunks in order), with
   * what is stored of it, so that nothing crosses to this process; null when there is no blob.
   * sha256() holds the whole content in the server's memory: only for the usual sizes.
   */
  async digestInDatabase(m: EntityManager, sha256: string): Promise<BlobDigest | null> {
    const rows: {
      size: string;
      chunks: number;
      n: string;
      bytes: string | null;
      digest: string | null;
    }[] = await m.query(
      `SELECT b.size, b.chunks, count(c.seq) AS n, sum(length(c.data)) AS bytes,
                encode(sha256(string_agg(c.data, ''::bytea ORDER BY c.seq)), 'hex') AS digest
           FROM blobs b LEFT JOIN blob_chunks c ON c.sha256 = b.sha256
          WHERE b.sha256 = $1 GROUP BY b.size, b.chunks`,
      [sha256],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      size: Number(r.size),
      chunks: r.chunks,
      storedChunks: Number(r.n),
      storedBytes: Number(r.bytes ?? 0),
      digest: r.digest,
    };
  }

  /** Stored digests after `after`, in order, `limit` at most. */
  async page(
    m: EntityManager,
    after: string,
    limit: number,
  ): Promise<{ sha256: string; size: number }[]> {
    const rows: BlobRow[] = await m.query(
      `SELECT sha256, size FROM blobs WHERE sha256 > $1 ORDER BY sha256 LIMIT ${Number(limit)}`,
      [after],
    );
    return rows.map((r) => ({ sha256: r.sha256, size: Number(r.size) }));
  }
}
