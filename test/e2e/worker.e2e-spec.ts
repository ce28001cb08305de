import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { SWEEP_SCHEDULER_ID } from '#duban/scheduling';
import { cleanEnv, assertBuilt, Processes, SpawnedApp, WORKER_MAIN } from '../support/processes';
import { testQueuePrefix } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-env';
import { waitFor } from '../support/wait';

const SECRET = 'a-secret-for-worker-tests-'.padEnd(48, 'x');
const SHUTDOWN_TIMEOUT_MS = 3000;

// Spawned workers take a few seconds to start, and the heartbeat is watched for five more.
jest.setTimeout(60_000);

function workerEnv(databaseUrl: string, prefix: string): Record<string, string> {
  return cleanEnv({
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    DUBAN_JWT_SECRET: SECRET,
    DUBAN_QUEUE_PREFIX: prefix,
    DUBAN_SWEEP_INTERVAL_MS: '1000',
    DUBAN_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    DUBAN_LOG_LEVEL: 'info',
  });
}

describe('the worker', () => {
  const processes = new Processes();
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(() => assertBuilt());
  afterAll(async () => {
    await processes.killAll();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function freshDatabase() {
    const database = await createTestDatabase();
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    cleanups.push(
      () => database.drop(),
      () => pg.end(),
    );
    const runCount = async (): Promise<number> => {
      const r = await pg.query<{ run_count: string }>(
        `SELECT run_count FROM sweep_state WHERE name = 'sweep'`,
      );
      return r.rows.length ? Number(r.rows[0].run_count) : 0;
    };
    return { url: database.url, runCount };
  }

  function sweepQueue(prefix: string): Queue {
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('sweep', { prefix, connection });
    cleanups.push(async () => {
      await queue.close();
      connection.disconnect();
    });
    return queue;
  }

  it('two workers started at the same moment leave exactly one sweep scheduler, run once per tick', async () => {
    const db = await freshDatabase();
    const prefix = testQueuePrefix();
    const queue = sweepQueue(prefix);
    const env = workerEnv(db.url, prefix);
    const workers: SpawnedApp[] = [
      processes.spawn(WORKER_MAIN, env),
      processes.spawn(WORKER_MAIN, env),
    ];
    await Promise.all(workers.map((w) => w.waitForOutput(/worker started/)));

    // The first poll to see a run may already see two (one tick can land just before a second
    // boundary, the next just after it): the rhythm is counted from what that poll saw.
    const first = await waitFor('the first sweep', async () => {
      const n = await db.runCount();
      return n >= 1 ? { at: Date.now(), runs: n } : undefined;
    });
    const firstRunAt = first.at;
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: SWEEP_SCHEDULER_ID, pattern: '* * * * * *' });

    // Watch the heartbeat for a few seconds: one scheduler means about one run per second.
    const WATCH_MS = 5000;
    let runs = 0;
    let elapsedS = 0;
    while (Date.now() - firstRunAt < WATCH_MS) {
      await sleep(250);
      runs = (await db.runCount()) - first.runs;
      elapsedS = (Date.now() - firstRunAt) / 1000;
      // Checked on every poll, so a doubled rhythm fails as soon as it shows.
      expect({ runs, elapsedS, atMostOnePerSecond: runs <= elapsedS + 1 }).toMatchObject({
        atMostOnePerSecond: true,
      });
    }
    expect(runs).toBeGreaterThanOrEqual(Math.floor(elapsedS) - 2);
    expect(await queue.getJobSchedulers()).toHaveLength(1);
    // Both are still running: neither gave up because the other had registered first.
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  });

  it('stops on SIGTERM within DUBAN_SHUTDOWN_TIMEOUT_MS, with exit code 0, saying so', async () => {
    const db = await freshDatabase();
    const worker = processes.spawn(WORKER_MAIN, workerEnv(db.url, testQueuePrefix()));
    await worker.waitForOutput(/worker started/);
    await waitFor('a sweep to have run', async () =>
      (await db.runCount()) >= 1 ? true : undefined,
    );

    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exitWithin(SHUTDOWN_TIMEOUT_MS + 5000);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 5000);
    // Said in the structured log, as one JSON object per line.
    const line = worker
      .stdout()
      .split('\n')
      .find((l) => l.includes('shutting down'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      app: 'worker',
      msg: expect.stringMatching(/^shutting down/),
    });
  });
});
