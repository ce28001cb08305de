import { DataSource, QueryFailedError } from 'typeorm';
import { isUniqueViolation } from '#duban/domain';
import { createDataSource, preparedQuery, statementName } from '#duban/persistence';
import { createTestDatabase } from '../support/test-database';

describe('preparedQuery: statements PostgreSQL plans once per connection', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await createDataSource(database.url, 2).initialize();
    await db.query(`CREATE TABLE prepared_probe (id int PRIMARY KEY, label text NOT NULL)`);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('returns the same rows as an ordinary query, with parameters of every kind', async () => {
    const sql = `SELECT $1::int + 1 AS n, $2::text[] AS labels, $3::timestamptz AS at`;
    const at = new Date('2026-11-22T01:02:03.000Z');
    const params = [41, ['甲', '乙'], at];
    expect(await preparedQuery(db, sql, params)).toEqual(await db.query(sql, params));
    expect(await preparedQuery(db, sql, params)).toEqual([{ n: 42, labels: ['甲', '乙'], at }]);
  });

  it('runs on the transaction’s own connection: sees its writes and prepares once there', async () => {
    const sql = `SELECT label FROM prepared_probe WHERE id = $1`;
    await db.transaction(async (m) => {
      await m.query(`INSERT INTO prepared_probe VALUES (1, '整改')`);
      for (let i = 0; i < 3; i++) {
        expect(await preparedQuery(m, sql, [1])).toEqual([{ label: '整改' }]);
      }
      const prepared: { name: string }[] = await m.query(
        `SELECT name FROM pg_prepared_statements WHERE name = $1`,
        [statementName(sql)],
      );
      expect(prepared).toHaveLength(1);
      await m.query(`DELETE FROM prepared_probe`);
    });
  });

  it('fails like TypeORM does, so the callers’ error handling still applies', async () => {
    await db.query(`INSERT INTO prepared_probe VALUES (2, '销号')`);
    const error: unknown = await preparedQuery(db, `INSERT INTO prepared_probe VALUES ($1, $2)`, [
      2,
      '重复',
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('names a statement by its text, so two texts never share a name', () => {
    expect(statementName('SELECT 1')).toBe(statementName('SELECT 1'));
    expect(statementName('SELECT 1')).not.toBe(statementName('SELECT 2'));
  });
});
