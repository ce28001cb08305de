import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, ensureDatabase, runMigrations } from '#duban/persistence';
import { ADMIN_DATABASE_URL, databaseUrl, templateDatabase } from './test-env';
import { recordFileOfRun } from './status-recorder';

const STALE_AFTER_MS = 2 * 3600_000;

/** Databases left by runs that were killed before their teardown (run ids start with a base-36 time). */
async function dropStaleTestDatabases(now: number): Promise<void> {
  const pg = new Client({ connectionString: ADMIN_DATABASE_URL });
  await pg.connect();
  try {
    const rows = await pg.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^duban_test_[0-9a-z]+_'`,
    );
    for (const { datname } of rows.rows) {
      const started = parseInt(datname.slice('duban_test_'.length, 'duban_test_'.length + 8), 36);
      if (now - started > STALE_AFTER_MS) {
        await pg.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  } finally {
    await pg.end();
  }
}

/**
 * Migrates one template database per run; every test file then gets its own database cloned
 * from it (CREATE DATABASE … TEMPLATE), which takes milliseconds and isolates the files.
 */
export default async function globalSetup(): Promise<void> {
  const now = Date.now();
  await dropStaleTestDatabases(now);
  process.env.DUBAN_TEST_RUN_ID ??= `${now.toString(36)}${randomBytes(2).toString('hex')}`;
  // Every response of the run is recorded, and walked by the global teardown (response-walk.ts).
  process.env.DUBAN_RECORD_STATUSES ??= recordFileOfRun(process.env.DUBAN_TEST_RUN_ID);
  const url = databaseUrl(templateDatabase());
  await ensureDatabase(url);
  const ds = await createDataSource(url, 2).initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
}
