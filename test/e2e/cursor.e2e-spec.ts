import { DataSource, EntityManager } from 'typeorm';
import { createDataSource, openCursor } from '#duban/persistence';
import { createTestDatabase } from '../support/test-database';

/**
 * The engine's cursors (the quarter start's grouped task lists, the 逾期未报 run, the ledger) are
 * always read to their end. PostgreSQL plans a cursor for its first 10 % by default
 * (cursor_tuple_fraction 0.1) and then prefers a fast-start plan: for the quarter start at
 * BENCH_SCALE=1 an index walk over 400,000 open measures in person order with a random heap
 * read for each (2.1–2.6 s), where the whole result costs 1.0–1.1 s by a hash join and a sort.
 */
describe('openCursor: planned for the whole result, a chunk at a time', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: DataSource;
  const grouped = `SELECT owner, count(*)::int AS n, sum(weight)::int AS weight
                     FROM cursor_probe GROUP BY owner`;
  const setting = async (m: EntityManager | DataSource) =>
    ((await m.query(`SELECT current_setting('cursor_tuple_fraction') AS v`)) as { v: string }[])[0]
      .v;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDataSource(database.url, 2).initialize();
    // 2,000 owners with 40 rows each, written in random order: an index on the owner finds
    // an owner's rows scattered over the table, as the person index does on `tasks`.
    await db.query(
      `CREATE TABLE cursor_probe AS
         SELECT (i % 2000) AS owner, (i % 7) AS weight, repeat('措', 40) AS filler
           FROM generate_series(1, 80000) AS i ORDER BY random()`,
    );
    await db.query(`CREATE INDEX cursor_probe_owner ON cursor_probe (owner)`);
    await db.query(`ANALYZE cursor_probe`);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('hands out every row once, in chunks, and closes', async () => {
    await db.transaction(async (m) => {
      const cursor = await openCursor<{ owner: number; n: number }>(
        m,
        'probe_rows',
        `${grouped} ORDER BY owner`,
        [],
      );
      const owners: number[] = [];
      for (let chunk = await cursor.fetch(700); chunk.length > 0; chunk = await cursor.fetch(700))
        owners.push(...chunk.map((r) => r.owner));
      expect(owners).toEqual(Array.from({ length: 2000 }, (_, i) => i));
      await cursor.close();
      expect(await m.query(`SELECT name FROM pg_cursors WHERE name = 'probe_rows'`)).toEqual([]);
    });
  });

  it('plans the cursor for all of its rows, not for a fast start, within its transaction only', async () => {
    const planOf = async (m: EntityManager) =>
      (
        (await m.query(`EXPLAIN DECLARE probe_plan NO SCROLL CURSOR FOR ${grouped}`)) as {
          'QUERY PLAN': string;
        }[]
      )
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    // PostgreSQL's default, for contrast: a walk of the owner index, fetching each row at random.
    await db.transaction(async (m) => {
      expect(await planOf(m)).toMatch(/Index Scan using cursor_probe_owner/);
    });
    await db.transaction(async (m) => {
      await openCursor(m, 'probe_rows', grouped, []);
      expect(await setting(m)).toBe('1');
      const plan = await planOf(m);
      expect(plan).toMatch(/Seq Scan on cursor_probe/);
      expect(plan).not.toMatch(/Index Scan/);
    });
    // SET LOCAL: the pooled connection goes back with PostgreSQL's default.
    await Promise.all([setting(db), setting(db)]).then((values) =>
      expect(values).toEqual(['0.1', '0.1']),
    );
  });
});
