import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ReinspectionService } from '#duban/rectification';
import { ApiClient } from '../support/api-client';
import { assertBuilt, cleanEnv, Processes, WORKER_MAIN } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { waitFor } from '../support/wait';

jest.setTimeout(240_000);

const ZONE = 'Asia/Shanghai';

/**
 * 回头看 with the real worker processes (from dist), real PostgreSQL and Redis: the measures are
 * closed (on the api's test clock) in the quarter that last ended on the wall clock, so the
 * workers' first sweep owes its draw. Two workers, then Redis losing every key: one draw.
 */
describe('回头看 at quarter end with real workers', () => {
  let t: TestApp;
  let processes: Processes;

  beforeAll(async () => {
    assertBuilt();
    processes = new Processes();
    t = await startTestApp();
  });
  afterAll(async () => {
    await processes.killAll();
    await t.close();
  });

  it('draws the sample exactly once, with two workers and a Redis flush in between', async () => {
    const quarter = ReinspectionService.previousQuarter(new Date(), ZONE);
    t.clock.set(new Date((quarter.start.getTime() + quarter.end.getTime()) / 2));
    const api = new ApiClient(t);
    const admin = await api.adminToken();
    const county = await api.createOrg(admin, { name: '回头看县委', kind: 'committee' });
    const branch = await api.createOrg(admin, {
      name: '回头看支部',
      kind: 'branch',
      parentId: county.id,
    });
    const secretary = await api.createPerson(admin, [{ orgId: county.id, role: 'secretary' }]);
    const verifier = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }]);
    await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }]);
    const responsible = await api.createPerson(admin, [{ orgId: branch.id, role: 'member' }]);
    const as = (p: { token: string }) => ({
      post: (url: string, body: object = {}) =>
        t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
      put: (url: string, body: object = {}) =>
        t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
    });
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/reinspection-policy`, {
        rate: 0.5,
        alwaysSeverities: [],
        inspectorRole: 'supervisor',
      })
      .expect(200);
    const categories = ['work_style', 'public_work', 'political_function', 'member_education'];
    for (const [i, category] of categories.entries()) {
      const res = await as(secretary).post('/api/v1/problems', {
        title: `问题${i}`,
        description: '检查发现',
        category,
        severity: 'general',
        source: 'roving_check',
        orgId: branch.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: `措施${i}`,
            responsibleOrgId: branch.id,
            responsibleUserId: responsible.id,
            mode: 'deadline',
            dueAt: new Date(t.clock.now().getTime() + 5 * 86400_000).toISOString(),
          },
        ],
      });
      expect(res.status).toBe(201);
      const id = res.body.tasks[0].id;
      await as(responsible).post(`/api/v1/tasks/${id}/accept`).expect(200);
      await as(responsible).post(`/api/v1/tasks/${id}/submit`, { summary: '已整改' }).expect(200);
      await as(verifier).post(`/api/v1/tasks/${id}/verify`, { passed: true }).expect(200);
      await as(secretary).post(`/api/v1/tasks/${id}/close`).expect(200);
    }

    const env = cleanEnv({
      DATABASE_URL: t.config.DATABASE_URL,
      REDIS_URL: t.config.REDIS_URL,
      DUBAN_JWT_SECRET: t.config.DUBAN_JWT_SECRET,
      DUBAN_QUEUE_PREFIX: t.config.DUBAN_QUEUE_PREFIX,
      DUBAN_SWEEP_INTERVAL_MS: '1000',
      DUBAN_CLAIM_LEASE_MS: '3000',
      DUBAN_SHUTDOWN_TIMEOUT_MS: '2000',
      DUBAN_LOG_LEVEL: 'warn',
    });
    const workers = [processes.spawn(WORKER_MAIN, env), processes.spawn(WORKER_MAIN, env)];
    const draws = async () =>
      (await t.db.query(
        `SELECT id, sample_task_ids FROM reinspection_draws WHERE org_id = $1 AND quarter = $2`,
        [county.id, quarter.label],
      )) as { id: string; sample_task_ids: string[] }[];
    await waitFor('the quarter-end draw', async () => ((await draws()).length ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });

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
    await sleep(5000); // the watchdog re-registers the sweep, which asks again

    const [draw, ...more] = await draws();
    expect(more).toEqual([]);
    expect(draw.sample_task_ids).toHaveLength(2); // ⌈0.5 × 4⌉
    const runs = await t.db.query(
      `SELECT count(*)::int AS n FROM quarter_runs WHERE kind = 'reinspect' AND time_zone = $1 AND quarter = $2`,
      [ZONE, quarter.label],
    );
    expect(runs[0].n).toBe(1);
    const [{ n: reinspections }] = await t.db.query(
      `SELECT count(*)::int AS n FROM reinspections WHERE draw_id = $1`,
      [draw.id],
    );
    expect(reinspections).toBe(2);
    const [{ n: drawnEvents }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE stream_id = $1 AND type = 'reinspection_drawn'`,
      [draw.id],
    );
    expect(drawnEvents).toBe(1);
    const [{ n: notices }] = await t.db.query(
      `SELECT count(*)::int AS n FROM notifications WHERE kind = 'reinspection_assigned'`,
    );
    expect(notices).toBe(2);
    await Promise.all(
      workers.map(async (w) => {
        w.child.kill('SIGTERM');
        expect((await w.exitWithin(10_000)).code).toBe(0);
      }),
    );
  });
});
