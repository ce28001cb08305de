import type { DataSource } from 'typeorm';
import { type AppConfig, fromInstallation } from '#duban/config';
import type { BlobStore } from './blob-store';
import { FileBlobStore } from './file-blob-store';
import { PostgresBlobStore } from './postgres-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { parseStoreLocation } from './store-url';

/**
 * The store DUBAN_ATTACHMENTS_URL names (the database by default). A relative deprecated
 * DUBAN_ATTACHMENTS_DIR is taken from the installation directory, not the working directory.
 */
export function createBlobStore(
  config: Pick<AppConfig, 'DUBAN_ATTACHMENTS_URL' | 'DUBAN_ATTACHMENTS_DIR'>,
  db: DataSource,
): BlobStore {
  const location = parseStoreLocation(
    config.DUBAN_ATTACHMENTS_URL,
    config.DUBAN_ATTACHMENTS_DIR,
    fromInstallation,
  );
  switch (location.kind) {
    case 'postgres':
      return new PostgresBlobStore(db);
    case 'file':
      return new FileBlobStore(location.directory);
    case 's3':
      return new S3BlobStore(location);
  }
}
