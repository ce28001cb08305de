import { DEFAULT_DATABASE_URL } from '#duban/config';
import { createDataSource } from '../data-source';
import { ensureDatabase, runMigrations } from '../database-bootstrap';

/** `npm run migrate`: creates the database if needed and applies pending migrations. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  await ensureDatabase(url);
  const ds = createDataSource(url, 2);
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    process.stdout.write(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
