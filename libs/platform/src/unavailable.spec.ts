import { QueryFailedError } from 'typeorm';
import { redisPortOf, unavailableDependency } from './unavailable';

const withCode = (message: string, extra: Record<string, unknown>) =>
  Object.assign(new Error(message), extra);

describe('unavailableDependency', () => {
  it.each([
    [
      'a refused connection',
      withCode('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED', port: 5432 }),
    ],
    [
      'admin shutdown (57P01)',
      withCode('terminating connection due to administrator command', { code: '57P01' }),
    ],
    ['crash shutdown (57P02)', withCode('terminating connection', { code: '57P02' })],
    [
      'cannot connect now (57P03)',
      withCode('the database system is starting up', { code: '57P03' }),
    ],
    ['a connection exception (08006)', withCode('connection failure', { code: '08006' })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a reset socket', withCode('read ECONNRESET', { code: 'ECONNRESET' })],
  ])('says the database is unavailable on %s', (_, error) => {
    expect(unavailableDependency(error)).toBe('database');
  });

  it('looks inside TypeORM query errors', () => {
    const driver = withCode('terminating connection due to administrator command', {
      code: '57P01',
    });
    expect(unavailableDependency(new QueryFailedError('SELECT 1', [], driver))).toBe('database');
  });

  it('looks inside causes and aggregate errors (several addresses refused)', () => {
    const refused = withCode('connect ECONNREFUSED ::1:5432', { code: 'ECONNREFUSED' });
    expect(unavailableDependency(new AggregateError([refused], 'x'))).toBe('database');
    expect(unavailableDependency(new Error('wrapped', { cause: refused }))).toBe('database');
  });

  it.each([
    [
      'an offline fail-fast client',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ],
    ['a closed connection', new Error('Connection is closed.')],
    [
      'exhausted retries',
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    [
      'a refused connection on its port',
      withCode('connect ECONNREFUSED 127.0.0.1:6390', { code: 'ECONNREFUSED', port: 6390 }),
    ],
  ])('says Redis is unavailable on %s', (_, error) => {
    expect(unavailableDependency(error, { redisPorts: [6390] })).toBe('redis');
  });

  it.each([
    ['a unique violation', withCode('duplicate key value', { code: '23505' })],
    ['a syntax error', withCode('syntax error at or near', { code: '42601' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('returns null for %s', (_, error) => {
    expect(unavailableDependency(error)).toBeNull();
  });

  it('reads the port of a Redis URL', () => {
    expect(redisPortOf('redis://127.0.0.1:6390/0')).toBe(6390);
    expect(redisPortOf('redis://cache/0')).toBe(6379);
  });
});
