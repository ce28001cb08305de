import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ENGINE_TOTALS_MAX_AGE_MS } from '#duban/observability';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };
type Labels = Record<string, string>;

const HOUR = 3600_000;

/** The value of one series in a Prometheus text exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Labels = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const own: Labels = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) own[l[1]] = l[2];
    if (Object.entries(labels).every(([k, v]) => own[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Every label set of one metric. */
function seriesOf(text: string, name: string): Labels[] {
  const out: Labels[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const own: Labels = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) own[l[1]] = l[2];
    out.push(own);
  }
  return out;
}

describe('operations: Prometheus metrics and the queue dashboard', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let adminToken: string;
  let county: { id: string };
  let branch: { id: string };
  let supervisor: Person;
  let responsible: Person;
  let orgAdmin: Person;

  const scrape = async () => {
    const res = await t.http().get('/metrics').expect(200);
    return res.text;
  };

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    adminToken = await api.adminToken();
    county = await api.createOrg(adminToken, { name: '某县委', kind: 'committee' });
    branch = await api.createOrg(adminToken, {
      name: '某支部',
      kind: 'branch',
      parentId: county.id,
    });
    supervisor = await api.createPerson(
      adminToken,
      [{ orgId: county.id, role: 'supervisor' }],
      'supervisor',
    );
    responsible = await api.createPerson(
      adminToken,
      [{ orgId: branch.id, role: 'member' }],
      'responsible',
    );
    orgAdmin = await api.createPerson(adminToken, [{ orgId: county.id, role: 'admin' }], 'admin');
    // A ladder in hours, so the clock can walk it.
    const secretary = await api.createPerson(
      adminToken,
      [{ orgId: county.id, role: 'secretary' }],
      'secretary',
    );
    await t
      .http()
      .put(`/api/v1/orgs/${county.id}/escalation-policy`)
      .auth(secretary.token, { type: 'bearer' })
      .send({
        remindBefore: ['PT1H'],
        steps: [
          { level: 1, name: '催办', after: 'PT0S', notify: ['responsible'] },
          { level: 2, name: '问责', after: 'PT1H', notify: ['secretary'] },
        ],
      })
      .expect(200);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way
  });
  afterAll(() => t.close());

  describe('GET /metrics', () => {
    it('answers without a token, as Prometheus text with process metrics', async () => {
      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.text).toContain('# TYPE duban_due_timers gauge');
      expect(res.text).toContain('# TYPE duban_effects_total counter');
      expect(res.text).toContain('# TYPE duban_http_request_duration_seconds histogram');
      expect(sample(res.text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(sample(res.text, 'duban_metrics_database_up')).toBe(1);
    });

    it('counts due timers, effects with their lag, deliveries and cases from PostgreSQL', async () => {
      const created = await t
        .http()
        .post('/api/v1/problems')
        .auth(supervisor.token, { type: 'bearer' })
        .send({
          title: '阵地建设不达标',
          description: '党员活动室被挪作他用',
          category: 'facilities_and_funding',
          severity: 'general',
          source: 'roving_check',
          orgId: branch.id,
          raisedByOrgId: county.id,
          tasks: [
            {
              measure: '恢复党员活动室功能',
              responsibleOrgId: branch.id,
              responsibleUserId: responsible.id,
              mode: 'deadline',
              dueAt: new Date(t.clock.now().getTime() + 2 * HOUR).toISOString(),
            },
          ],
        })
        .expect(201);
      const taskId: string = created.body.tasks[0].id;
      await engine.sweep(); // plans the ladder: nothing is due yet
      expect(sample(await scrape(), 'duban_due_timers', { source: 'task' })).toBe(0);

      // The workers are "down" for 3 h 10 min: the reminder, 催办 and 问责 all come due.
      t.clock.advance(3 * HOUR + 10 * 60_000);
      let text = await scrape();
      expect(sample(text, 'duban_due_timers', { source: 'task' })).toBe(1);
      const waited = sample(text, 'duban_due_timer_oldest_seconds', { source: 'task' })!;
      expect(waited).toBeGreaterThan(2 * 3600); // due since the reminder at 1 h
      expect(waited).toBeLessThanOrEqual(3 * 3600 + 600);

      await engine.sweep();
      t.clock.advance(ENGINE_TOTALS_MAX_AGE_MS); // the totals are re-counted at most this often
      text = await scrape();
      expect(sample(text, 'duban_due_timers', { source: 'task' })).toBe(0);
      expect(sample(text, 'duban_effects_total', { kind: 'step', level: '1' })).toBe(1);
      expect(sample(text, 'duban_effects_total', { kind: 'step', level: '2' })).toBe(1);
      // The reminder came after the deadline: recorded, not sent.
      expect(sample(text, 'duban_effects_superseded_total', { kind: 'reminder' })).toBe(1);
      // 催办 was planned at the deadline (2 h) and took effect at 3 h 10 min: 70 minutes late;
      // 问责 (3 h) 10 minutes late.
      expect(sample(text, 'duban_effect_lag_seconds', { kind: 'step', stat: 'max' })).toBeCloseTo(
        70 * 60,
        0,
      );
      const p50 = sample(text, 'duban_effect_lag_seconds', { kind: 'step', stat: 'p50' })!;
      expect(p50).toBeGreaterThanOrEqual(10 * 60);
      expect(p50).toBeLessThanOrEqual(70 * 60);
      expect(sample(text, 'duban_effect_lag_window_effects', { kind: 'step' })).toBe(2);
      expect(sample(text, 'duban_accountability_cases', { state: 'open' })).toBe(1);
      expect(sample(text, 'duban_accountability_cases', { state: 'decided' })).toBe(0);
      const steps = await t.db.query(
        `SELECT count(*)::int AS n FROM task_effects WHERE task_id = $1 AND kind = 'step'`,
        [taskId],
      );
      expect(steps[0].n).toBe(2);

      // An hour later the lag window has moved past those effects.
      t.clock.advance(HOUR + 1000);
      text = await scrape();
      expect(sample(text, 'duban_effect_lag_seconds', { kind: 'step', stat: 'max' })).toBe(
        undefined,
      );
      expect(sample(text, 'duban_effect_lag_window_effects', { kind: 'step' })).toBe(0);
      expect(sample(text, 'duban_effects_total', { kind: 'step', level: '1' })).toBe(1);
    });

    it('reports deliveries by channel and state, and due sends', async () => {
      const before = await scrape();
      const dead0 = sample(before, 'duban_deliveries', { channel: 'webhook', state: 'dead' });
      const now = t.clock.now();
      const insert = (state: string, nextAttemptAt: Date | null) =>
        t.db.query(
          `INSERT INTO deliveries (id, channel, dedupe_key, org_id, payload, state, attempts,
                                   next_attempt_at, created_at)
           VALUES ($1, 'webhook', $2, $3, '{}', $4, 1, $5, $6)`,
          [randomUUID(), `metrics-test:${randomUUID()}`, county.id, state, nextAttemptAt, now],
        );
      await insert('dead', null);
      await insert('dead', null);
      await insert('pending', new Date(now.getTime() - 60_000));
      await insert('pending', new Date(now.getTime() + HOUR));
      let text = await scrape();
      // Due sends are read on every scrape; the totals are re-counted at most every 30 s.
      expect(sample(text, 'duban_due_timers', { source: 'delivery' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'duban_deliveries', { channel: 'webhook', state: 'dead' })).toBe(dead0);
      t.clock.advance(ENGINE_TOTALS_MAX_AGE_MS);
      text = await scrape();
      expect(sample(text, 'duban_deliveries', { channel: 'webhook', state: 'dead' })).toBe(
        dead0! + 2,
      );
      expect(
        sample(text, 'duban_deliveries', { channel: 'webhook', state: 'pending' }),
      ).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'duban_deliveries', { channel: 'email', state: 'dead' })).toBe(0);
      expect(
        sample(text, 'duban_due_timer_oldest_seconds', { source: 'delivery' }),
      ).toBeGreaterThanOrEqual(60);
    });

    it('counts requests by route pattern and status, never by raw URL', async () => {
      const missing = randomUUID();
      await t
        .http()
        .get(`/api/v1/tasks/${missing}`)
        .auth(adminToken, { type: 'bearer' })
        .expect(404);
      await t.http().get(`/api/v1/tasks/${missing}`).expect(401);
      await t.http().get(`/api/v1/no-such-thing/${missing}`).expect(404);
      const text = await scrape();
      const get = { method: 'GET', route: '/api/v1/tasks/:id' };
      expect(sample(text, 'duban_http_requests_total', { ...get, status: '404' })).toBe(1);
      expect(sample(text, 'duban_http_requests_total', { ...get, status: '401' })).toBe(1);
      expect(
        sample(text, 'duban_http_requests_total', {
          method: 'GET',
          route: 'other',
          status: '404',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'duban_http_request_duration_seconds_count', get)).toBeGreaterThanOrEqual(
        2,
      );
      const routes = seriesOf(text, 'duban_http_requests_total').map((l) => l.route);
      expect(routes.some((r) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(r))).toBe(false);
    });

    it('keeps one registry per app, so two apps in one process each have their own', async () => {
      const other = await startTestApp();
      try {
        const res = await other.http().get('/metrics').expect(200);
        expect(sample(res.text, 'duban_accountability_cases', { state: 'open' })).toBe(0);
        expect(sample(await scrape(), 'duban_accountability_cases', { state: 'open' })).toBe(1);
      } finally {
        await other.close();
      }
    });
  });

  describe('/admin/queues', () => {
    let producer: Redis;
    let engineQueue: Queue;

    beforeAll(async () => {
      // A job on the engine queue, under this app's prefix: the dashboard must show it.
      producer = new Redis(t.config.REDIS_URL, { maxRetriesPerRequest: null });
      engineQueue = new Queue('engine', {
        connection: producer,
        prefix: t.config.DUBAN_QUEUE_PREFIX,
      });
      await engineQueue.add('task-timers', { taskIds: [] }, { delay: HOUR, jobId: 'ops-test' });
    });
    afterAll(async () => {
      await engineQueue.obliterate({ force: true });
      await engineQueue.close();
      producer.disconnect();
    });

    it('refuses a request without credentials with 401 in the API error shape', async () => {
      const res = await t.http().get('/admin/queues').expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(res.body.message).toMatch(/queues-session/);
      await t.http().get('/admin/queues/api/queues').expect(401);
      await t.http().get('/admin/queues').auth('not-a-token', { type: 'bearer' }).expect(401);
    });

    it('refuses a user without the admin role with 403', async () => {
      const res = await t
        .http()
        .get('/admin/queues')
        .auth(supervisor.token, { type: 'bearer' })
        .expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(res.body.message).toMatch(/系统管理员/);
      await t
        .http()
        .post('/api/v1/admin/queues-session')
        .auth(supervisor.token, { type: 'bearer' })
        .expect(403);
    });

    it('shows the dashboard to an administrator, with nothing loaded from elsewhere', async () => {
      const res = await t
        .http()
        .get('/admin/queues')
        .auth(adminToken, { type: 'bearer' })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.text).toContain('<div id="root">');
      expect(res.text).toContain('<base href="/admin/queues/"');
      const refs = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(refs.length).toBeGreaterThan(2);
      expect(refs.filter((r) => /^(https?:)?\/\//i.test(r))).toEqual([]);
      for (const ref of refs) {
        const path = new URL(ref, 'http://x/admin/queues/').pathname;
        const asset = await t.http().get(path).auth(adminToken, { type: 'bearer' });
        expect({ ref, status: asset.status }).toEqual({ ref, status: 200 });
      }
    });

    it("refuses an org admin: jobs name tasks of every org, so the dashboard is the system admin's", async () => {
      const res = await t
        .http()
        .get('/admin/queues/')
        .auth(orgAdmin.token, { type: 'bearer' })
        .expect(403);
      expect(res.body.message).toMatch(/系统管理员/);
      await t
        .http()
        .get('/admin/queues/api/queues')
        .auth(orgAdmin.token, { type: 'bearer' })
        .expect(403);
      await t
        .http()
        .post('/api/v1/admin/queues-session')
        .auth(orgAdmin.token, { type: 'bearer' })
        .expect(403);
    });

    it("lists the worker's queues under the configured prefix, read-only", async () => {
      const res = await t
        .http()
        .get('/admin/queues/api/queues')
        .auth(adminToken, { type: 'bearer' })
        .expect(200);
      const queues: { name: string; counts: Record<string, number>; readOnlyMode: boolean }[] =
        res.body.queues;
      expect(queues.map((q) => q.name).sort()).toEqual(['engine', 'notifications', 'sweep']);
      const engineQ = queues.find((q) => q.name === 'engine')!;
      expect(engineQ.counts.delayed).toBe(1);
      expect(engineQ.readOnlyMode).toBe(true);
      const paused = await t
        .http()
        .put('/admin/queues/api/queues/engine/pause')
        .auth(adminToken, { type: 'bearer' });
      expect(paused.status).toBe(405);
      expect(await engineQueue.isPaused()).toBe(false);
    });

    it('opens in a browser with a short-lived session cookie from POST /admin/queues-session', async () => {
      const session = await t
        .http()
        .post('/api/v1/admin/queues-session')
        .auth(adminToken, { type: 'bearer' })
        .expect(201);
      expect(session.body.dashboardUrl).toBe('/admin/queues/');
      const setCookie = ([] as string[]).concat(session.headers['set-cookie'] ?? []);
      expect(setCookie).toHaveLength(1);
      expect(setCookie[0]).toMatch(/^duban_queues_session=[^;]+;/);
      expect(setCookie[0]).toMatch(/Path=\/admin\/queues/);
      expect(setCookie[0]).toMatch(/HttpOnly/);
      expect(setCookie[0]).toMatch(/SameSite=Strict/);
      expect(setCookie[0]).toMatch(/Max-Age=900/);
      const cookie = setCookie[0].split(';')[0];

      const page = await t.http().get('/admin/queues/').set('Cookie', cookie).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      await t.http().get('/admin/queues/api/queues').set('Cookie', cookie).expect(200);

      // The cookie is not an API token.
      const value = cookie.split('=')[1];
      await t.http().get('/api/v1/me').auth(value, { type: 'bearer' }).expect(401);
      // Nor is an API token a session cookie.
      await t
        .http()
        .get('/admin/queues/')
        .set('Cookie', `duban_queues_session=${adminToken}`)
        .expect(401);

      // Fifteen minutes later it has expired.
      t.clock.advance(15 * 60_000 + 1000);
      const expired = await t.http().get('/admin/queues/').set('Cookie', cookie).expect(401);
      expect(expired.body.message).toMatch(/已过期/);
    });
  });
});
