import { Client } from 'pg';
import { createDataSource, ensureDatabase, runMigrations } from '#duban/persistence';

export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/duban_bench';

/** A fresh, migrated database for the benchmarks (dropped and created again). */
export async function freshBenchDatabase(url = BENCH_DATABASE_URL): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new Client({ connectionString: u.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await ensureDatabase(url);
  const ds = await createDataSource(url, 2).initialize();
  await runMigrations(ds);
  await ds.destroy();
}
