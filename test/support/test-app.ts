import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp } from '../../apps/api/src/setup';
import { AppConfig, loadConfig } from '#duban/config';
import { UsersService } from '#duban/identity';
import { TestClock } from './test-clock';
import { createTestDatabase } from './test-database';
import { installStatusRecorder, keepDocument } from './status-recorder';
import { runId, TEST_REDIS_URL } from './test-env';

export const ADMIN = { username: 'admin', password: 'admin-password-for-tests' };

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  clock: TestClock;
  config: AppConfig;
  db: DataSource;
  close: () => Promise<void>;
}

/** A BullMQ/Redis key prefix unique to this test file within the run. */
export function testQueuePrefix(): string {
  return `t${runId()}-${randomBytes(3).toString('hex')}`;
}

export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    DUBAN_JWT_SECRET: 'test-secret-'.padEnd(48, 'x'),
    DUBAN_QUEUE_PREFIX: testQueuePrefix(),
    DUBAN_LOG_LEVEL: 'silent',
    DUBAN_ADMIN_USERNAME: ADMIN.username,
    DUBAN_ADMIN_PASSWORD: ADMIN.password,
    ...overrides,
  });
}

/** The app's OpenAPI document, once per run (the walk checks the recorded statuses against it). */
async function documentOf(app: INestApplication): Promise<unknown> {
  return (await request(app.getHttpServer()).get('/api/docs-json').expect(200)).body;
}

/** The real api (real PostgreSQL database of its own, real Redis), in process, on a moved clock. */
export async function startTestApp(
  overrides: Record<string, string> = {},
  options: { realClock?: boolean } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(database.url, overrides);
  // Tests that run real worker processes share the wall clock with them.
  const clock = options.realClock ? new TestClock(undefined, true) : new TestClock();
  const module = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, { clock })],
  }).compile();
  // Errors stay visible: a 500 in a test should show its stack.
  const app = module.createNestApplication({ bodyParser: false, logger: ['error'] });
  // Every response the run provokes, walked after the run (global-teardown.ts).
  installStatusRecorder(app);
  configureApp(app, config);
  await app.init();
  await keepDocument(() => documentOf(app));
  await app.get(UsersService).ensureSystemAdmin(ADMIN.username, ADMIN.password);
  return {
    app,
    http: () => request(app.getHttpServer()),
    clock,
    config,
    db: app.get(DataSource),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
