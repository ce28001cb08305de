import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { childPath } from '#duban/persistence';
import { ADMIN_DATABASE_URL, databasePrefix, databaseUrl, templateDatabase } from './test-env';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `${databasePrefix()}${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabase()}"`));
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A county committee (某县委) at the root and one branch (第一支部) below it, as rows of `orgs`. */
export async function insertCountyAndBranch(
  db: DataSource,
  at: Date,
): Promise<{ county: { id: string; path: string }; branch: { id: string; path: string } }> {
  const countyId = randomUUID();
  const branchId = randomUUID();
  const county = { id: countyId, path: childPath(null, countyId) };
  const branch = { id: branchId, path: childPath(county.path, branchId) };
  await db.query(
    `INSERT INTO orgs (id, name, kind, parent_id, path, time_zone, created_at)
     VALUES ($1, '某县委', 'committee', NULL, $2::ltree, 'Asia/Shanghai', $5),
            ($3, '第一支部', 'branch', $1, $4::ltree, 'Asia/Shanghai', $5)`,
    [county.id, county.path, branch.id, branch.path, at],
  );
  return { county, branch };
}
