import type { DataSource } from 'typeorm';
import { DEFAULT_DATABASE_URL } from '#duban/config';
import { createDataSource } from '#duban/persistence';
import type { BlobStore } from '../blob-store';
import { createBlobStore } from '../create-blob-store';

/**
 * The database and the evidence store the api would use, from DATABASE_URL,
 * DUBAN_ATTACHMENTS_URL and (deprecated) DUBAN_ATTACHMENTS_DIR; nothing else is needed.
 */
export async function openStoreFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ db: DataSource; store: BlobStore; close: () => Promise<void> }> {
  const db = await createDataSource(env.DATABASE_URL || DEFAULT_DATABASE_URL, 2).initialize();
  try {
    const store = createBlobStore(
      {
        DUBAN_ATTACHMENTS_URL: env.DUBAN_ATTACHMENTS_URL || undefined,
        DUBAN_ATTACHMENTS_DIR: env.DUBAN_ATTACHMENTS_DIR || undefined,
      },
      db,
    );
    return {
      db,
      store,
      close: async () => {
        await store.close();
        await db.destroy();
      },
    };
  } catch (e) {
    await db.destroy();
    throw e;
  }
}
