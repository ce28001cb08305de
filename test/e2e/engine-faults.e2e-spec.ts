import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ApiClient } from '../support/api-client';
import { assertBuilt, cleanEnv, Processes, SpawnedApp, WORKER_MAIN } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { waitFor } from '../support/wait';

// Real processes on a 2-core machine, possibly beside another test file: generous bounds.
jest.setTimeout(240_000);

/** A ladder in seconds, so real worker processes walk it in a test's time. */
const SECONDS_POLICY = {
  remindBefore: ['PT2S'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT3S', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT6S', notify: ['secretary', 'leader'] },
    { level: 4, name: '问责', after: 'PT9S', notify: ['discipline'] },
  ],
};

/**
 * The exactly-once promise under faults, with the real worker processes (from dist), real
 * PostgreSQL and real Redis: several workers at once, a worker killed with SIGKILL, Redis
 * losing every key, and all workers down across two steps.
 */
describe('the engine under faults', () => {
  let t: TestApp;
  let api: ApiClient;
  let processes: Processes;
  let county: { id: string };
  let branch: { id: string };
  let supervisor: { id: string; token: string };
  let responsible: { id: string };
  let leader: { id: string };

  const workerEnv = () =>
    cleanEnv({
      DATABASE_URL: t.config.DATABASE_URL,
      REDIS_URL: t.config.REDIS_URL,
      DUBAN_JWT_SECRET: t.config.DUBAN_JWT_SECRET,
      DUBAN_QUEUE_PREFIX: t.config.DUBAN_QUEUE_PREFIX,
      DUBAN_SWEEP_INTERVAL_MS: '1000',
      DUBAN_CLAIM_LEASE_MS: '3000',
      DUBAN_SHUTDOWN_TIMEOUT_MS: '2000',
      DUBAN_LOG_LEVEL: 'warn',
    });
  const startWorker = (): SpawnedApp => processes.spawn(WORKER_MAIN, workerEnv());

  async function createTasks(n: number, dueInMs: number): Promise<string[]> {
    const dueAt = new Date(Date.now() + dueInMs).toISOString();
    const res = await t
      .http()
      .post('/api/v1/problems')
      .auth(supervisor.token, { type: 'bearer' })
      .send({
        title: '督查发现的问题',
        description: '用于检验升级引擎',
        category: 'work_style',
        severity: 'general',
        source: 'special_supervision',
        orgId: branch.id,
        raisedByOrgId: county.id,
        tasks: Array.from({ length: n }, (_, i) => ({
          measure: `整改措施 ${i + 1}`,
          responsibleOrgId: branch.id,
          responsibleUserId: responsible.id,
          leaderUserId: leader.id,
          mode: 'deadline',
          dueAt,
        })),
      });
    expect(res.status).toBe(201);
    return res.body.tasks.map((x: { id: string }) => x.id);
  }

  const count = async (sql: string, params: unknown[]) =>
    (await t.db.query(sql, params))[0].n as number;

  const casesOpened = (ids: string[]) =>
    count(`SELECT count(*)::int AS n FROM accountability_cases WHERE task_id = ANY($1)`, [ids]);

  /** Everything that must have happened exactly once, per task, in ladder order. */
  async function expectExactlyOnce(ids: string[]): Promise<void> {
    const steps: { task_id: string; levels: number[] }[] = await t.db.query(
      `SELECT task_id, array_agg(level ORDER BY fired_at, id) AS levels FROM task_effects
        WHERE task_id = ANY($1) AND kind = 'step' GROUP BY task_id`,
      [ids],
    );
    expect(steps).toHaveLength(ids.length);
    for (const s of steps) expect(s.levels).toEqual([1, 2, 3, 4]);
    // The record is not guarded by a unique key: a doubled effect would show here.
    const escalated: { task_id: string; n: number }[] = await t.db.query(
      `SELECT stream_id AS task_id, count(*)::int AS n FROM audit_events
        WHERE stream_id = ANY($1) AND type = 'escalated' GROUP BY stream_id`,
      [ids],
    );
    expect(escalated.map((e) => e.n)).toEqual(ids.map(() => 4));
    expect(await casesOpened(ids)).toBe(ids.length);
    const caseEvents = await count(
      `SELECT count(*)::int AS n FROM audit_events e JOIN accountability_cases c ON c.id = e.stream_id
        WHERE c.task_id = ANY($1) AND e.type = 'opened'`,
      [ids],
    );
    expect(caseEvents).toBe(ids.length);
    // Nothing fired early: each step at or after its planned instant.
    expect(
      await count(
        `SELECT count(*)::int AS n FROM task_effects WHERE task_id = ANY($1) AND fired_at < planned_at`,
        [ids],
      ),
    ).toBe(0);
    // Each task in one inbox message per person per step (the escalation notices to the leader:
    // levels 1 and 3; the measures of one problem reaching a step together share one notice).
    expect(
      await count(
        `SELECT count(*)::int AS n FROM notifications n, jsonb_array_elements(n.data->'tasks') x
          WHERE n.user_id = $1 AND n.kind = 'escalation' AND (x->>'id')::uuid = ANY($2::uuid[])`,
        [leader.id, ids],
      ),
    ).toBe(ids.length * 2);
  }

  beforeAll(async () => {
    assertBuilt();
    processes = new Processes();
    t = await startTestApp({}, { realClock: true });
    api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '故障测试县委', kind: 'committee' });
    branch = await api.createOrg(admin, {
      name: '故障测试支部',
      kind: 'branch',
      parentId: county.id,
    });
    supervisor = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'sup');
    const secretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'sec',
    );
    await api.createPerson(admin, [{ orgId: county.id, role: 'discipline' }], 'jiwei');
    await api.createPerson(admin, [{ orgId: branch.id, role: 'secretary' }], 'branch-sec');
    responsible = await api.createPerson(admin, [{ orgId: branch.id, role: 'member' }], 'owner');
    leader = await api.createPerson(admin, [{ orgId: county.id, role: 'member' }], 'leader');
    await t
      .http()
      .put(`/api/v1/orgs/${county.id}/escalation-policy`)
      .auth(secretary.token, { type: 'bearer' })
      .send(SECONDS_POLICY)
      .expect(200);
  });

  afterAll(async () => {
    await processes.killAll();
    await t.close();
  });

  it('three workers at once: every step and case exactly once', async () => {
    const ids = await createTasks(40, 3000);
    const workers = [startWorker(), startWorker(), startWorker()];
    await waitFor(
      'all cases opened',
      async () => ((await casesOpened(ids)) === ids.length ? true : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    );
    await sleep(2500); // let any duplicate that might still be in flight land
    await expectExactlyOnce(ids);
    await Promise.all(
      workers.map(async (w) => {
        w.child.kill('SIGTERM');
        expect((await w.exitWithin(10_000)).code).toBe(0);
      }),
    );
  });

  it('a worker killed mid-batch, Redis losing everything, and all workers down across two steps', async () => {
    const ids = await createTasks(30, 2000);
    const first = startWorker();
    await waitFor(
      'the first steps to be under way',
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM task_effects WHERE task_id = ANY($1) AND kind = 'step'`,
          [ids],
        )) > 0
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    first.child.kill('SIGKILL'); // no shutdown, in the middle of whatever it was doing
    await first.exitWithin(5000);
    const laterSteps = () =>
      count(
        `SELECT count(*)::int AS n FROM task_effects WHERE task_id = ANY($1) AND kind = 'step' AND level >= 2`,
        [ids],
      );
    // On a busy machine the first worker may already have caught up with step 2 before it died.
    const atKill = await laterSteps();

    // Redis loses every key of this deployment: queues, jobs, the scheduler.
    const redis = new Redis(TEST_REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${t.config.DUBAN_QUEUE_PREFIX}:*`,
        'COUNT',
        1000,
      );
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();

    await sleep(6500); // steps 2 and 3 come due while no worker runs
    expect(await laterSteps()).toBe(atKill); // nothing happens without a worker
    expect(atKill).toBeLessThan(ids.length * 2); // step 3 (at least) is left for the restart

    startWorker();
    startWorker();
    await waitFor(
      'all cases opened',
      async () => ((await casesOpened(ids)) === ids.length ? true : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    );
    await sleep(2500);
    await expectExactlyOnce(ids);
  });
});
