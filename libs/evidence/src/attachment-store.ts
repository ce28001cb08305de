import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { APP_CONFIG, type AppConfig } from '#duban/config';
import { type EvidenceContentType, PartialFile, sniffFile, Utf8TextScanner } from './sniff';

/** Kept in memory while a file streams to disk: enough for every magic number and the OLE2 header. */
const HEAD_BYTES = 4096;
/** Reads the sniffer may ask for before a file counts as unrecognisable (a looping directory). */
const MAX_SNIFF_READS = 512;
const SHA256_HEX = /^[0-9a-f]{64}$/;

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
 * Evidence files on disk, outside the database, content-addressed by SHA-256:
 * `<dir>/<sha[0..2]>/<sha[2..4]>/<sha>`, so the same content is stored once however often it
 * is uploaded. Uploads stream into `<dir>/tmp` first (same file system, so keeping one is a
 * rename) and are never held in memory whole.
 */
@Injectable()
export class AttachmentStore {
  readonly root: string;
  private readonly tempDir: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = resolve(config.DUBAN_ATTACHMENTS_DIR);
    this.tempDir = join(this.root, 'tmp');
  }

  /** Where the content with this digest lives. */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** Streams `content` to a temporary file, hashing it and noting its first bytes on the way. */
  async receive(content: Readable): Promise<ReceivedUpload> {
    await mkdir(this.tempDir, { recursive: true });
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

  /** Moves a received file to its content address; a copy already there is kept instead. */
  async keep(upload: ReceivedUpload): Promise<void> {
    const target = this.pathOf(upload.sha256);
    if (await exists(target)) {
      await this.discard(upload);
      return;
    }
    await mkdir(dirname(target), { recursive: true });
    // Content-addressed files never change; read-only says so to anyone looking at the disk.
    await chmod(upload.tempPath, 0o444);
    await rename(upload.tempPath, target);
  }

  /** Removes a received file that is not kept (or was already moved: then nothing happens). */
  async discard(upload: Pick<ReceivedUpload, 'tempPath'>): Promise<void> {
    await rm(upload.tempPath, { force: true });
  }

  /** The stored content, for download. */
  async open(sha256: string): Promise<Readable> {
    const path = this.pathOf(sha256);
    try {
      const handle = await open(path, 'r');
      return handle.createReadStream();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`evidence content ${sha256} is missing from ${this.root}`, { cause: e });
      }
      throw e;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
