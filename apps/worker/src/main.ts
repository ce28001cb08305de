import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '#duban/config';
import { createDataSource, ensureDatabase, runMigrations } from '#duban/persistence';
import { createLogger, PinoNestLogger, startFailureText } from '#duban/platform';
import { sweepCronPattern } from '#duban/scheduling';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    sweepCronPattern(config.DUBAN_SWEEP_INTERVAL_MS);
  } catch (e) {
    process.stderr.write(
      `${e instanceof ConfigError ? e.message : `Invalid configuration:\n  - ${(e as Error).message}`}\n`,
    );
    process.exit(2);
  }
  const logger = createLogger(config.DUBAN_LOG_LEVEL, 'worker');

  await ensureDatabase(config.DATABASE_URL);
  const migrator = await createDataSource(config.DATABASE_URL, 2).initialize();
  try {
    await runMigrations(migrator);
  } finally {
    await migrator.destroy();
  }

  // A worker has no HTTP server: it is an application context that consumes queues.
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
  });
  await app.init();
  // Stop on SIGTERM/SIGINT by closing the context (bounded by DUBAN_SHUTDOWN_TIMEOUT_MS in
  // WorkerHost) and exiting 0: a requested stop is a clean stop.
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping');
    app
      .close()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.info({ sweepIntervalMs: config.DUBAN_SWEEP_INTERVAL_MS }, '督办 worker started');
}

bootstrap().catch((e: unknown) => {
  process.stderr.write(startFailureText('worker', e));
  process.exit(1);
});
