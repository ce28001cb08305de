import { Client } from 'pg';
import { Redis } from 'ioredis';
import { ADMIN_DATABASE_URL, databasePrefix, runId, TEST_REDIS_URL } from './test-env';

/** Drops every database and Redis key this run created. */
export default async function globalTeardown(): Promise<void> {
  const pg = new Client({ connectionString: ADMIN_DATABASE_URL });
  await pg.connect();
  try {
    const rows = await pg.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname DESC`,
      [databasePrefix()],
    );
    for (const { datname } of rows.rows) {
      await pg.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await pg.end();
  }
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `t${runId()}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
