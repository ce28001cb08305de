import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { loadConfig } from '#duban/config';
import { UsersService } from '#duban/identity';
import { createDataSource, ensureDatabase, runMigrations } from '#duban/persistence';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp } from '../../apps/api/src/setup';
import { type OpenApiDocument, runFuzz } from './fuzzer';
import { seedFuzzWorld } from './seed';

/**
 * `npm run fuzz -- [--count N] [--seed S] [--concurrency C] [--database-url URL] [--redis-url URL]`
 *
 * Starts the real api in process on a fresh database (dropped and recreated: by default
 * `duban_fuzz` on the local server), seeds a small world through the API, then sends N
 * requests generated from the OpenAPI document. Prints every 5xx and every 4xx not in the
 * error shape, and one summary line; exits 1 if there was any.
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

async function main(): Promise<number> {
  const count = Number(arg('count', '1000'));
  const seed = Number(arg('seed', String(Math.floor(Math.random() * 2 ** 31))));
  const concurrency = Number(arg('concurrency', '4'));
  const databaseUrl = arg('database-url', 'postgres://postgres@127.0.0.1:5432/duban_fuzz');
  const redisUrl = arg('redis-url', 'redis://127.0.0.1:6379/0');
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    process.stderr.write('usage: npm run fuzz -- --count N [--seed S]\n');
    return 2;
  }
  process.stdout.write(`fuzz: seed ${seed}, ${count} requests, concurrency ${concurrency}\n`);

  // A fresh database every run.
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const pg = new Client({ connectionString: adminUrl.toString() });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  await pg.end();
  await ensureDatabase(databaseUrl);
  const migrator = await createDataSource(databaseUrl, 2).initialize();
  await runMigrations(migrator);
  await migrator.destroy();

  const prefix = `fuzz-${seed}`;
  const admin = { username: 'admin', password: 'fuzz-admin-password' };
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    DUBAN_JWT_SECRET: 'fuzz-secret-'.padEnd(48, 'x'),
    DUBAN_QUEUE_PREFIX: prefix,
    DUBAN_LOG_LEVEL: 'silent',
    DUBAN_ADMIN_USERNAME: admin.username,
    DUBAN_ADMIN_PASSWORD: admin.password,
    DUBAN_ATTACHMENTS_DIR: `.local/fuzz-attachments`,
  });
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bodyParser: false,
    logger: ['error'],
  });
  configureApp(app, config);
  await app.init();
  await app.get(UsersService).ensureSystemAdmin(admin.username, admin.password);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const doc = (await (await fetch(`${baseUrl}/api/docs-json`)).json()) as OpenApiDocument;
    const world = await seedFuzzWorld(baseUrl, admin);
    const started = Date.now();
    const result = await runFuzz({
      baseUrl,
      doc,
      seed,
      count,
      concurrency,
      tokens: world.tokens,
      ids: world.ids,
      heavy: { pattern: /ledger|import|attachments$/, share: 0.25 },
      log: (line) => process.stdout.write(`${line}\n`),
      samples: Number(arg('samples', '0')),
    });
    if (process.argv.includes('--verbose')) {
      for (const [op, statuses] of Object.entries(result.byOperation).sort()) {
        process.stdout.write(`  ${op}: ${JSON.stringify(statuses)}\n`);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const statuses = Object.entries(result.byStatus)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    process.stdout.write(
      `fuzz: seed ${seed}: ${result.requests} requests in ${seconds} s over ` +
        `${new Set(Object.keys(doc.paths)).size} paths; ${result.fiveHundreds} 5xx, ` +
        `${result.failures.length - result.fiveHundreds} malformed 4xx ` +
        `(${result.badRequestsWithoutFields} 400s without errors[]); /health ${result.healthAfter} ` +
        `afterwards; statuses ${statuses}\n`,
    );
    return result.failures.length === 0 && result.healthAfter === 200 ? 0 : 1;
  } finally {
    await app.close();
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(
      `fuzz failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  },
);
