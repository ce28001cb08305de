import { Client } from 'pg';
import { Redis } from 'ioredis';
import { rmSync } from 'node:fs';
import { ADMIN_DATABASE_URL, databasePrefix, runId, TEST_REDIS_URL } from './test-env';
import { documentFileOf, recordFile } from './status-recorder';
import { walkRecordedResponses, walkReport } from './response-walk';

/**
 * Drops every database and Redis key this run created, then walks the responses the run
 * provoked: a 4xx body without a `code` or without Chinese, or a status not documented for its
 * operation, fails the run with the list (the files that ran, however few).
 */
export default async function globalTeardown(): Promise<void> {
  await dropRunData();
  const file = recordFile();
  if (!file) return;
  const result = walkRecordedResponses(file);
  const report = walkReport(file, result);
  if (report) {
    throw new Error(report);
  }
  if (result.responses > 0)
    process.stdout.write(
      `\nResponse walk: ${result.clientErrors} 4xx bodies with a code and Chinese, ` +
        `${result.operations} statuses documented${result.skipped ? ` (${result.skipped})` : ''}\n`,
    );
  rmSync(file, { force: true });
  rmSync(documentFileOf(file), { force: true });
}

async function dropRunData(): Promise<void> {
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
