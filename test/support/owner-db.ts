import { Client } from 'pg';

/**
 * A connection as the database's owner (the test cluster's superuser), not as duban_app like
 * `t.db`: for what the apps may not do — DDL, switching triggers off, rewriting the audit
 * record — which tests do on purpose to play an attacker or set up a fault.
 */
export async function asOwner<T>(databaseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `fn` in one transaction on an owner connection; rolled back when it throws. */
export function ownerTransaction<T>(
  databaseUrl: string,
  fn: (c: Client) => Promise<T>,
): Promise<T> {
  return asOwner(databaseUrl, async (c) => {
    await c.query('BEGIN');
    try {
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    }
  });
}
