import type { EntityManager } from 'typeorm';

/**
 * A server-side cursor opened in a transaction: rows are fetched a chunk at a time, so a
 * caller walking a province-sized result holds one chunk, never the whole list.
 */
export interface ChunkCursor<T> {
  /** The next rows (at most `count`); empty once the cursor is exhausted. */
  fetch(count: number): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Declares `name` as a NO SCROLL cursor for `sql` on the transaction of `m` (a cursor lives
 * until the transaction ends, so `m` must be a transaction's manager). `map` turns each raw
 * row into what callers see.
 *
 * The callers read their cursors to the end, so the transaction's cursors are planned for all
 * of their rows (`cursor_tuple_fraction` 1, for this transaction only): by default PostgreSQL
 * plans a cursor for its first 10 % and picks fast-start plans — for the quarter start an index
 * walk over the open measures in person order, twice the time of a hash join and a sort
 * (test/e2e/cursor.e2e-spec.ts, BENCHMARKS.md).
 */
export async function openCursor<R, T = R>(
  m: EntityManager,
  name: string,
  sql: string,
  params: unknown[],
  map: (row: R) => T = (row) => row as unknown as T,
): Promise<ChunkCursor<T>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`cursor name ${name} is not an identifier`);
  await m.query(`SET LOCAL cursor_tuple_fraction = 1`);
  await m.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  return {
    async fetch(count: number): Promise<T[]> {
      const rows: R[] = await m.query(`FETCH ${Math.max(1, Math.floor(count))} FROM ${name}`);
      return rows.map(map);
    },
    async close(): Promise<void> {
      await m.query(`CLOSE ${name}`);
    },
  };
}
