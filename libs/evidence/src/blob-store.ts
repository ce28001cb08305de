import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What a store knows of one stored content. */
export interface BlobInfo {
  readonly sha256: string;
  readonly size: number;
}

/**
 * Where evidence content lives, addressed by its SHA-256 (so the same bytes are stored once).
 * Chosen by DUBAN_ATTACHMENTS_URL: the database (default), S3-compatible storage, or a local
 * directory for development. Content is streamed in and out, never held whole in memory.
 */
export interface BlobStore {
  /** For logs and reports, without credentials: `postgres:`, `s3://bucket/prefix`, `file:///dir`. */
  readonly description: string;
  /** Whether putFile writes through the caller's database transaction (the postgres store). */
  readonly transactional: boolean;
  /**
   * Stores the file at `path`, whose digest and size the caller has computed. Nothing happens
   * when the content is already there. A database store writes through `manager`, so the
   * content commits or rolls back with the records that cite it.
   */
  putFile(
    blob: BlobInfo,
    path: string,
    manager?: EntityManager,
  ): Promise<'stored' | 'already_stored'>;
  /** The stored size, or null when nothing is stored under this digest. */
  stat(sha256: string): Promise<BlobInfo | null>;
  /**
   * Checks the stored content against `blob` (EvidenceCorruptedError, EvidenceMissingError)
   * without handing it out; a store that can do so where the bytes are saves reading them here.
   */
  check(blob: BlobInfo): Promise<void>;
  /** The stored bytes as they are, unchecked; throws EvidenceMissingError when there are none. */
  readRaw(sha256: string): Promise<Readable>;
  /** Every stored content, in no particular order. */
  list(): AsyncIterable<BlobInfo>;
  /** Releases connections the store opened itself. */
  close(): Promise<void>;
}

/** The stored content does not match its digest (or its recorded size). */
export class EvidenceCorruptedError extends Error {
  constructor(
    readonly sha256: string,
    detail: string,
  ) {
    super(
      `佐证材料已损坏，拒绝提供：内容与其 SHA-256 不符 (evidence ${sha256} is corrupted: ${detail})`,
    );
    this.name = 'EvidenceCorruptedError';
  }
}

/** Nothing is stored under a digest that an attachment cites. */
export class EvidenceMissingError extends Error {
  constructor(
    readonly sha256: string,
    where: string,
  ) {
    super(`佐证材料缺失：存储中找不到该文件 (evidence ${sha256} is missing from ${where})`);
    this.name = 'EvidenceMissingError';
  }
}

/**
 * Passes bytes through while hashing them, always holding back the latest chunk: the last one
 * is released only once the whole content has matched `sha256` and `size`, so a reader never
 * receives all the bytes of a corrupted file as if they were complete; it gets an
 * EvidenceCorruptedError instead (as soon as the size is exceeded, or at the end).
 */
export class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private held: Buffer | null = null;
  private seen = 0;

  constructor(
    private readonly sha256: string,
    private readonly size: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.size) {
      callback(
        new EvidenceCorruptedError(this.sha256, `longer than the recorded ${this.size} bytes`),
      );
      return;
    }
    this.hash.update(chunk);
    if (this.held) this.push(this.held);
    this.held = chunk;
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.size) {
      callback(
        new EvidenceCorruptedError(
          this.sha256,
          `${this.seen} bytes where ${this.size} were recorded`,
        ),
      );
      return;
    }
    const actual = this.hash.digest('hex');
    if (actual !== this.sha256) {
      callback(new EvidenceCorruptedError(this.sha256, `its content hashes to ${actual}`));
      return;
    }
    if (this.held) this.push(this.held);
    this.held = null;
    callback();
  }
}

/** Reads a content through to its end; resolves when it matches, else rejects with EvidenceCorruptedError. */
export async function checkContent(source: Readable, blob: BlobInfo): Promise<void> {
  const verifier = new VerifyingStream(blob.sha256, blob.size);
  await new Promise<void>((resolve, reject) => {
    source.once('error', (e) => {
      verifier.destroy();
      reject(e);
    });
    verifier.once('error', (e) => {
      source.destroy();
      reject(e);
    });
    verifier.on('data', () => undefined);
    verifier.once('end', resolve);
    source.pipe(verifier);
  });
}
