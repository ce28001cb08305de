/**
 * Which dependency an error says is unavailable (PostgreSQL or Redis), or null when it is any
 * other failure. Used by the api (503 instead of 500) and by the worker (keep retrying a job
 * through an outage rather than giving up after a few seconds). A pure function of the error.
 */
export type UnavailableDependency = 'database' | 'redis';

/**
 * PostgreSQL SQLSTATEs that mean "the server is not there for you right now": class 08
 * (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now,
 * 53300 too_many_connections.
 */
const PG_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** Socket errors: nothing answers, the connection dropped or timed out, or the host is unknown. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** node-postgres / pg-pool messages of a lost or impossible connection (they carry no code). */
const PG_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error and is not queryable/,
  /Client was closed and is not queryable/,
  /the database system is (shutting down|starting up|in recovery mode)/,
];

/** ioredis messages when Redis is unreachable (fail-fast clients without an offline queue). */
const REDIS_MESSAGES = [
  /enableOfflineQueue options is false/,
  /^Connection is closed\.?$/,
  /Reached the max retries per request limit/,
];

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  port?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export interface UnavailableOptions {
  /** Ports Redis listens on: a socket error naming one of them is a Redis outage. */
  redisPorts?: readonly number[];
}

export function unavailableDependency(
  error: unknown,
  options: UnavailableOptions = {},
): UnavailableDependency | null {
  const seen = new Set<unknown>();
  const visit = (e: unknown): UnavailableDependency | null => {
    if (!e || typeof e !== 'object' || seen.has(e)) return null;
    seen.add(e);
    const x = e as ErrorLike;
    const message = typeof x.message === 'string' ? x.message : '';
    const code = typeof x.code === 'string' ? x.code : '';
    if (x.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((r) => r.test(message)))
      return 'redis';
    if (PG_UNAVAILABLE.test(code) || PG_MESSAGES.some((r) => r.test(message))) return 'database';
    if (SOCKET_CODES.has(code)) {
      const port = typeof x.port === 'number' ? x.port : Number(/:(\d+)$/.exec(message)?.[1]);
      return options.redisPorts?.includes(port) ? 'redis' : 'database';
    }
    // Wrapped errors: TypeORM's QueryFailedError, `cause`, AggregateError (several addresses).
    const nested = [x.driverError, x.cause, ...(Array.isArray(x.errors) ? x.errors : [])];
    for (const n of nested) {
      const found = visit(n);
      if (found) return found;
    }
    return null;
  };
  return visit(error);
}

/** The port of a redis:// or rediss:// URL (6379 when it names none), for `redisPorts`. */
export function redisPortOf(url: string): number {
  try {
    return Number(new URL(url).port || 6379);
  } catch {
    return 6379;
  }
}
