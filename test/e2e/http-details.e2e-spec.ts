import { ApiClient } from '../support/api-client';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { startTestApp, TestApp } from '../support/test-app';

describe('HTTP details: 405 with Allow, ETag = If-Match version, /health documented, metric names', () => {
  let t: TestApp;
  let supervisor: NamedPerson;
  let zhang: NamedPerson;
  let taskId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const api = new ApiClient(t);
    const admin = await api.adminToken();
    const county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    const branch = await api.createOrg(admin, {
      name: '第一支部',
      kind: 'branch',
      parentId: county.id,
    });
    supervisor = await createNamedPerson(
      t,
      admin,
      [{ orgId: county.id, role: 'supervisor' }],
      'http-sup',
      '督查员',
    );
    zhang = await createNamedPerson(
      t,
      admin,
      [{ orgId: branch.id, role: 'member' }],
      'http-zhang',
      '张三',
    );
    const res = await t
      .http()
      .post('/api/v1/problems')
      .auth(supervisor.token, { type: 'bearer' })
      .send({
        title: '会议记录不全',
        description: '督查中发现',
        category: 'organisational_life',
        severity: 'general',
        source: 'quarterly_check',
        orgId: branch.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: '补齐会议记录',
            responsibleOrgId: branch.id,
            responsibleUserId: zhang.id,
            mode: 'deadline',
            dueDate: '2026-12-31',
          },
        ],
      });
    expect(res.status).toBe(201);
    taskId = res.body.tasks[0].id;
  });
  afterAll(() => t.close());

  it('answers a wrong method on a known path with 405 and Allow, an unknown path with 404', async () => {
    const wrong = await t.http().put('/api/v1/me/calendar-feed').send({});
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('DELETE, GET, HEAD');
    expect(wrong.body).toMatchObject({
      statusCode: 405,
      error: 'Method Not Allowed',
      code: 'method_not_allowed',
    });
    const onTask = await t
      .http()
      .delete(`/api/v1/tasks/${taskId}/accept`)
      .auth(zhang.token, { type: 'bearer' });
    expect(onTask.status).toBe(405);
    expect(onTask.headers['allow']).toBe('POST');
    expect((await t.http().get('/api/v1/no-such-thing')).status).toBe(404);
    // The right method still works.
    expect(
      (await t.http().get(`/api/v1/tasks/${taskId}`).auth(zhang.token, { type: 'bearer' })).status,
    ).toBe(200);
  });

  it('sends the task version as ETag, and If-Match takes it back quoted', async () => {
    const url = `/api/v1/tasks/${taskId}`;
    const first = await t.http().get(url).auth(zhang.token, { type: 'bearer' }).expect(200);
    expect(first.headers['etag']).toBe(`"${first.body.version}"`);
    const accepted = await t
      .http()
      .post(`${url}/accept`)
      .auth(zhang.token, { type: 'bearer' })
      .set('If-Match', first.headers['etag'])
      .send({});
    expect(accepted.status).toBe(200);
    const stale = await t
      .http()
      .post(`${url}/progress`)
      .auth(zhang.token, { type: 'bearer' })
      .set('If-Match', first.headers['etag'])
      .send({ content: '已开始' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('stale_version');
    const second = await t.http().get(url).auth(zhang.token, { type: 'bearer' }).expect(200);
    expect(second.headers['etag']).toBe(`"${first.body.version + 1}"`);
  });

  it('documents /health with its body in OpenAPI', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    const health = doc.paths['/health'].get;
    for (const status of ['200', '503']) {
      expect(health.responses[status].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/HealthResponse',
      );
    }
    expect(doc.components.schemas.HealthResponse.required).toEqual(
      expect.arrayContaining(['status', 'checks', 'engine']),
    );
    expect(doc.paths['/api/v1/tasks/{id}'].get.responses['200'].headers.ETag).toBeDefined();
  });

  it('names metrics by convention: _total only on counters', async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(types.length).toBeGreaterThan(5);
    // Ours; prom-client's own process metrics keep its names (nodejs_active_handles_total is a
    // gauge there, and renaming it would break every Node.js dashboard).
    for (const [name, type] of types.filter(([n]) => n.startsWith('duban_'))) {
      if (name.endsWith('_total')) expect([name, type]).toEqual([name, 'counter']);
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
    expect(types).toContainEqual(['duban_deliveries', 'gauge']);
  });
});
