import type { DataSource, EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager | DataSource, 'query'>;

/**
 * The rows an UPDATE or DELETE … RETURNING produced. TypeORM hands those statements back as
 * `[rows, affectedCount]` (other statements as the rows alone), so this unwraps the pair.
 */
export async function returning<T>(m: Queryable, sql: string, params: unknown[]): Promise<T[]> {
  const result: unknown = await m.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0])) {
    return result[0] as T[];
  }
  return result as T[];
}
