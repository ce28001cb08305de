import { Client } from 'pg';
import { DataSource } from 'typeorm';

/** Serialises migrations between processes that start at the same time. */
const MIGRATION_LOCK_KEY = 727_001;

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL must name a database, e.g. postgres://…/duban');
  return name;
}

function maintenanceUrl(url: string): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Creates the database when it does not exist yet, with a UTF-8 character type: pg_trgm
 * extracts no trigrams from Chinese text under LC_CTYPE 'C', so search would silently degrade.
 */
export async function ensureDatabase(url: string, template?: string): Promise<void> {
  const name = databaseName(url);
  const admin = new Client({ connectionString: maintenanceUrl(url) });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      const source = template
        ? `TEMPLATE ${quoteIdent(template)}`
        : `TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`;
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(name)} ${source}`);
      } catch (e) {
        // Another process created it between our check and our CREATE.
        if ((e as { code?: string }).code !== '42P04') throw e;
      }
    }
    const ctype = await admin.query<{ datctype: string }>(
      'SELECT datctype FROM pg_database WHERE datname = $1',
      [name],
    );
    const value = ctype.rows[0]?.datctype ?? '';
    if (!/utf-?8/i.test(value)) {
      throw new Error(
        `Database "${name}" has LC_CTYPE '${value}': Chinese full-text search needs a UTF-8 ctype. ` +
          `Recreate it with: CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8' ` +
          `LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`,
      );
    }
  } finally {
    await admin.end();
  }
}

/**
 * Runs pending migrations, one process at a time (a session-level advisory lock). The lock holds
 * one pooled connection while the migrations use another: the pool needs at least two.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
