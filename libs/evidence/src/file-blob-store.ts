import { randomBytes } from 'node:crypto';
import { copyFile, chmod, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobStore,
  checkContent,
  EvidenceMissingError,
  SHA256_HEX,
} from './blob-store';

/** Where content lives in a directory store: `<dir>/<sha[0..2]>/<sha[2..4]>/<sha>` (the layout of DUBAN_ATTACHMENTS_DIR). */
export function filePathOf(directory: string, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256}`);
  return join(directory, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/**
 * Evidence content in a local directory (DUBAN_ATTACHMENTS_URL=file:///dir): for development
 * only. It is on one machine's disk, so api instances on other machines do not see it and a
 * database backup does not include it.
 */
export class FileBlobStore implements BlobStore {
  readonly description: string;
  readonly transactional = false;

  constructor(readonly directory: string) {
    this.description = `file://${directory}`;
  }

  async putFile(blob: BlobInfo, path: string): Promise<'stored' | 'already_stored'> {
    const target = filePathOf(this.directory, blob.sha256);
    if (await exists(target)) return 'already_stored';
    await mkdir(dirname(target), { recursive: true });
    // Copied beside the target, then renamed: a reader never sees half a file.
    const part = `${target}.${randomBytes(6).toString('hex')}.part`;
    try {
      await copyFile(path, part);
      // Content-addressed files never change; read-only says so to anyone looking at the disk.
      await chmod(part, 0o444);
      await rename(part, target);
    } finally {
      await rm(part, { force: true });
    }
    return 'stored';
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    try {
      return { sha256, size: (await stat(filePathOf(this.directory, sha256))).size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async check(blob: BlobInfo): Promise<void> {
    await checkContent(await this.readRaw(blob.sha256), blob);
  }

  async readRaw(sha256: string): Promise<Readable> {
    try {
      const handle = await open(filePathOf(this.directory, sha256), 'r');
      return handle.createReadStream();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new EvidenceMissingError(sha256, this.description);
      }
      throw e;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    const entries = await readdir(this.directory, { recursive: true, withFileTypes: true }).catch(
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return [];
        throw e;
      },
    );
    for (const e of entries) {
      if (e.isFile() && SHA256_HEX.test(e.name)) {
        yield { sha256: e.name, size: (await stat(join(e.parentPath, e.name))).size };
      }
    }
  }

  async close(): Promise<void> {
    // nothing to release
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
