/**
 * The line a process prints when it cannot start. Failures of the environment — PostgreSQL
 * refusing the login in DATABASE_URL, a server that does not answer — are one line naming what
 * to fix; anything else is a bug and keeps its stack.
 */
export function startFailureText(processName: string, e: unknown): string {
  const err = e as { code?: unknown; message?: unknown; stack?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const known = code ? ENVIRONMENT_FAILURES[code] : undefined;
  if (known) return `${processName} failed to start: ${known}: ${message} (${code})\n`;
  const detail = typeof err?.stack === 'string' ? err.stack : message;
  return `${processName} failed to start: ${detail}\n`;
}

const LOGIN = 'PostgreSQL refused the login in DATABASE_URL (or DUBAN_APP_DATABASE_URL)';
const UNREACHABLE = 'a server in DATABASE_URL or REDIS_URL does not answer';

const ENVIRONMENT_FAILURES: Record<string, string> = {
  '28P01': LOGIN, // invalid_password
  '28000': LOGIN, // invalid_authorization_specification (unknown role, pg_hba)
  '3D000': 'the database in DATABASE_URL does not exist and could not be created',
  '42501': 'the user in DATABASE_URL lacks a privilege the migrations need',
  '57P03': 'PostgreSQL is starting up or shutting down; try again',
  ECONNREFUSED: UNREACHABLE,
  ENOTFOUND: 'a host name in DATABASE_URL or REDIS_URL does not resolve',
  EHOSTUNREACH: UNREACHABLE,
  ETIMEDOUT: UNREACHABLE,
};
