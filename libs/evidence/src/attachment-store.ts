import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from 'typeorm';
import { type BlobInfo, type BlobStore, VerifyingStream } from './blob-store';
import { type EvidenceContentType, PartialFile, sniffFile, Utf8TextScanner } from './sniff';

/** Kept in memory while a file streams to disk: enough for every magic number and the OLE2 header. */
const HEAD_BYTES = 4096;

/** Reads the sniffer may ask for before a file counts as unrecognisable (a looping directory). */
const MAX_SNIFF_READS = 512;

/**
 * Contents up to this size are read twice on download: once to check them against their
 * digest before the response starts (so a corrupted file is refused with a proper error), then
 * to send them. Larger ones are checked while they are sent (see VerifyingStream).
 */
export const VERIFY_FIRST_MAX_BYTES = 20 * 1024 * 1024;

/** The Nest token of the configured BlobStore (see createBlobStore). */
export const BLOB_STORE = Symbol('BlobStore');

/** A file received into the temporary area, with what was learnt while it streamed past. */
export interface ReceivedUpload {
  readonly tempPath: string;
  readonly sha256: string;
  readonly size: number;
  /** The first bytes, for the sniffer. */
  readonly head: Buffer;
  /** Whether the whole file is UTF-8 without NUL bytes. */
  readonly utf8Text: boolean;
}

/**
 * Receives uploads and hands out stored evidence. An upload streams into a private temporary
 * directory of this process (hashed and inspected on the way, never held in memory whole),
 * is identified from its bytes, and is then kept in the configured BlobStore under its
 * SHA-256. Every read is checked against that digest.
 */
@Injectable()
export class AttachmentStore implements OnModuleDestroy {
  /** This instance's temporary directory, removed when the module stops. */
  readonly tempDir: string;

  constructor(@Inject(BLOB_STORE) readonly blobs: BlobStore) {
    this.tempDir = mkdtempSync(join(tmpdir(), 'duban-uploads-'));
  }

  onModuleDestroy(): void {
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  /** Streams `content` to a temporary file, hashing it and noting its first bytes on the way. */
  async receive(content: Readable): Promise<ReceivedUpload> {
    const tempPath = join(this.tempDir, `${randomBytes(16).toString('hex')}.part`);
    const hash = createHash('sha256');
    const text = new Utf8TextScanner();
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    try {
      await pipeline(
        content,
        async function* inspect(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            text.write(chunk);
            size += chunk.length;
            if (headLength < HEAD_BYTES) {
              const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - headLength));
              head.push(part);
              headLength += part.length;
            }
            yield chunk;
          }
        },
        createWriteStream(tempPath, { flags: 'wx', mode: 0o600 }),
      );
    } catch (e) {
      await rm(tempPath, { force: true });
      throw e;
    }
    return {
      tempPath,
      sha256: hash.digest('hex'),
      size,
      head: Buffer.concat(head),
      utf8Text: text.end(),
    };
  }

  /** The type of a received file from its bytes, or null when it is none of the allowed kinds. */
  async identify(upload: ReceivedUpload): Promise<EvidenceContentType | null> {
    const file = new PartialFile(upload.size, upload.head);
    const facts = { utf8Text: upload.utf8Text };
    let outcome = sniffFile(file, facts);
    if ('contentType' in outcome) return outcome.contentType;
    const handle = await open(upload.tempPath, 'r');
    try {
      for (let reads = 0; 'missing' in outcome; reads++) {
        if (reads >= MAX_SNIFF_READS) return null;
        const { offset, length } = outcome.missing;
        const bytes = Buffer.alloc(length);
        const { bytesRead } = await handle.read(bytes, 0, length, offset);
        file.add(offset, bytes.subarray(0, bytesRead));
        outcome = sniffFile(file, facts);
      }
      return outcome.contentType;
    } finally {
      await handle.close();
    }
  }

  /**
   * Keeps a received file in the store under its digest (once: content already there is not
   * stored again). With the database store, inside `manager`'s transaction.
   */
  async keep(upload: ReceivedUpload, manager?: EntityManager): Promise<void> {
    await this.blobs.putFile(
      { sha256: upload.sha256, size: upload.size },
      upload.tempPath,
      manager,
    );
  }

  /** Removes a received file that is not kept (or was already removed: then nothing happens). */
  async discard(upload: Pick<ReceivedUpload, 'tempPath'>): Promise<void> {
    await rm(upload.tempPath, { force: true });
  }

  /**
   * The stored content, for download, checked against its digest: up to
   * VERIFY_FIRST_MAX_BYTES it is checked whole before this returns (EvidenceCorruptedError,
   * EvidenceMissingError), and every stream returned holds its last chunk back until the
   * content has matched, failing instead of ending when it does not.
   */
  async open(blob: BlobInfo): Promise<Readable> {
    if (blob.size <= VERIFY_FIRST_MAX_BYTES) await this.blobs.check(blob);
    const raw = await this.blobs.readRaw(blob.sha256);
    const verified = new VerifyingStream(blob.sha256, blob.size);
    raw.once('error', (e) => verified.destroy(e));
    verified.once('close', () => raw.destroy());
    return raw.pipe(verified);
  }
}
