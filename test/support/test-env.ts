/** Names shared by the global setup and every test file of one `jest` run. */
export const ADMIN_DATABASE_URL =
  process.env.DUBAN_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.DUBAN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export function runId(): string {
  const id = process.env.DUBAN_TEST_RUN_ID;
  if (!id)
    throw new Error('DUBAN_TEST_RUN_ID is not set: run e2e tests through jest (global setup)');
  return id;
}

export const templateDatabase = () => `duban_test_${runId()}_template`;
export const databasePrefix = () => `duban_test_${runId()}_`;

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
