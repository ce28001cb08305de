import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '#duban/config';
import { createDataSource, ensureDatabase, runMigrations } from '#duban/persistence';
import { formatReport } from './demo-format';
import { loadDemo } from './demo-loader';

/**
 * `npm run demo`: loads the demo county into DATABASE_URL (created and migrated if needed, as
 * the api does at start), then prints the demo logins and what to look at. Idempotent: when the
 * demo county exists already it changes nothing and says so.
 */
async function main(): Promise<void> {
  const env = { ...process.env };
  // The configuration insists on a JWT secret because the api signs tokens with it. The demo
  // loader issues no tokens and never starts the HTTP server, so when none is set a throwaway
  // value lets the shared configuration load; the api keeps using its own secret.
  env.DUBAN_JWT_SECRET ||= randomBytes(32).toString('hex');
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }

  await ensureDatabase(config.DATABASE_URL);
  const migrator = await createDataSource(config.DATABASE_URL, 2).initialize();
  try {
    await runMigrations(migrator);
  } finally {
    await migrator.destroy();
  }

  process.stdout.write('正在加载演示数据 loading the demo county…\n');
  const report = await loadDemo(config);
  process.stdout.write(`${formatReport(report, `http://localhost:${config.PORT}`).join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `演示数据加载失败 demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
