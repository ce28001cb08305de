import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { pinoHttp } from 'pino-http';
import { ConfigError, loadConfig } from '#duban/config';
import { createLogger, PinoNestLogger, startFailureText } from '#duban/platform';
import { createDataSource, ensureDatabase, runMigrations } from '#duban/persistence';
import { UsersService } from '#duban/identity';
import { DemoRepository, formatLogins, loadDemo } from '#duban/demo';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { configureApp } from './setup';

const ALL_INTERFACES = new Set(['0.0.0.0', '::']);

/** Where the server is bound, as bound (Nest's getUrl() shows 127.0.0.1 for 0.0.0.0). */
function listeningUrl(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.DUBAN_LOG_LEVEL, 'api');

  await ensureDatabase(config.DATABASE_URL);
  const migrator = await createDataSource(config.DATABASE_URL, 2).initialize();
  try {
    const applied = await runMigrations(migrator);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } finally {
    await migrator.destroy();
  }

  const app = await NestFactory.create(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  // One JSON line per request (method, route, status, duration); the token is never logged.
  app.use(pinoHttp({ logger, redact: ['req.headers.authorization', 'req.headers.cookie'] }));
  configureApp(app, config);

  if (config.DUBAN_ADMIN_USERNAME && config.DUBAN_ADMIN_PASSWORD) {
    const created = await app
      .get(UsersService)
      .ensureSystemAdmin(config.DUBAN_ADMIN_USERNAME, config.DUBAN_ADMIN_PASSWORD);
    if (created)
      logger.info({ username: config.DUBAN_ADMIN_USERNAME }, 'first administrator created');
  }

  // DUBAN_DEMO=1: an empty database gets the demo county (npm run demo does the same by hand).
  if (process.env.DUBAN_DEMO === '1') {
    if (!(await new DemoRepository().anyProblem(app.get(DataSource).manager))) {
      const demo = await loadDemo(config);
      logger.info({ password: demo.password, logins: formatLogins(demo.logins) }, demo.message);
    }
  }

  await app.listen(config.PORT, config.HOST);
  const url = listeningUrl(app.getHttpServer().address());
  logger.info(
    { url, host: config.HOST, docs: `${url}/api/docs` },
    `督办 api listening on ${url}${ALL_INTERFACES.has(config.HOST) ? ' (all interfaces)' : ''}`,
  );
}

bootstrap().catch((e: unknown) => {
  process.stderr.write(startFailureText('api', e));
  process.exit(1);
});
