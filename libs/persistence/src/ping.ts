import type { DataSource } from 'typeorm';

/** Resolves once the database answers a trivial statement; rejects as the query would. */
export async function pingDatabase(db: DataSource): Promise<void> {
  await db.query('SELECT 1');
}
