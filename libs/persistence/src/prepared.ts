import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** What node-postgres's client and pool accept: a query config with a statement name. */
interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** A statement's name on the connection, derived from its text (same text, same name). */
export function statementName(text: string): string {
  return `duban_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
}

/**
 * Runs `text` as a named prepared statement: parsed and planned once per pooled connection,
 * then only bound and executed. For the statements every request runs (loading the actor,
 * locking a task, the audit chain's head), planning was most of PostgreSQL's time: 1.8 ms of
 * ~3 ms per transition (pg_stat_statements, BENCHMARKS.md). On an EntityManager of a
 * transaction it runs on that transaction's connection; on a DataSource, on any pooled one.
 * Errors are TypeORM's QueryFailedError, as for `query`.
 */
export async function preparedQuery<T>(
  on: DataSource | EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const client: PgQueryable =
    on instanceof EntityManager && on.queryRunner
      ? ((await on.queryRunner.connect()) as PgQueryable)
      : (
          (on instanceof EntityManager ? on.connection : on).driver as unknown as {
            master: PgQueryable;
          }
        ).master;
  try {
    return (await client.query({ name: statementName(text), text, values })).rows as T[];
  } catch (e) {
    throw e instanceof Error ? new QueryFailedError(text, values, e) : e;
  }
}
