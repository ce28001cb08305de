import type { Response } from 'supertest';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

const LONE = '\ud800';

/** A 400 that names `field` with code invalid_text, in the shape every error has. */
function expectInvalidText(res: Response, field: string): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({
    statusCode: 400,
    error: 'Bad Request',
    code: 'invalid_text',
    message: expect.any(String),
  });
  expect(res.body.errors).toEqual(
    expect.arrayContaining([
      { field, code: 'invalid_text', message: expect.stringContaining(field) },
    ]),
  );
}

/**
 * Issue 10, finding 8: input that used to answer 500 — lone UTF-16 surrogates and NUL in any
 * text, numbers out of range in any query, and a unique violation under a race.
 */
describe('no 500 from input', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string };
  let branch: { id: string };
  let supervisor: Person;
  let secretary: Person;
  let responsible: Person;

  const as = (p: { token: string }) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  const dueIn = (days: number) =>
    new Date(t.clock.now().getTime() + days * 86400_000).toISOString();

  const problem = (overrides: object = {}, task: object = {}) => ({
    title: '支部未按规定开展主题党日',
    description: '督查发现主题党日活动记录缺失。',
    category: 'organisational_life',
    severity: 'general',
    source: 'quarterly_check',
    orgId: branch.id,
    raisedByOrgId: county.id,
    tasks: [
      {
        measure: '建立主题党日活动台账',
        responsibleOrgId: branch.id,
        responsibleUserId: responsible.id,
        mode: 'deadline',
        dueAt: dueIn(30),
        ...task,
      },
    ],
    ...overrides,
  });

  async function acceptedTask(): Promise<string> {
    const res = await as(supervisor).post('/api/v1/problems', problem());
    expect(res.status).toBe(201);
    const id = res.body.tasks[0].id as string;
    await as(responsible).post(`/api/v1/tasks/${id}/accept`).expect(200);
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    branch = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: county.id });
    supervisor = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'sup');
    secretary = await api.createPerson(admin, [{ orgId: county.id, role: 'secretary' }], 'sec');
    responsible = await api.createPerson(admin, [{ orgId: branch.id, role: 'member' }], 'resp');
  });
  afterAll(() => t.close());

  describe('a lone surrogate or NUL in any text is a 400 naming the field', () => {
    it('problem title and measure (nested)', async () => {
      expectInvalidText(
        await as(supervisor).post('/api/v1/problems', problem({ title: `整改${LONE}` })),
        'title',
      );
      expectInvalidText(
        await as(supervisor).post('/api/v1/problems', problem({}, { measure: LONE })),
        'tasks[0].measure',
      );
      expectInvalidText(
        await as(supervisor).post('/api/v1/problems', problem({ title: 'a\u0000b' })),
        'title',
      );
    });

    it('progress and check note', async () => {
      const id = await acceptedTask();
      expectInvalidText(
        await as(responsible).post(`/api/v1/tasks/${id}/progress`, { content: `进展${LONE}` }),
        'content',
      );
      expectInvalidText(
        await as(supervisor).post(`/api/v1/tasks/${id}/checks`, {
          result: 'lagging',
          note: `\udc00滞后`,
        }),
        'note',
      );
    });

    it('policy step name', async () => {
      const res = await as(secretary).put(`/api/v1/orgs/${county.id}/escalation-policy`, {
        remindBefore: ['PT1H'],
        steps: [
          { level: 1, name: `催办${LONE}`, after: 'PT0S', notify: ['responsible'] },
          { level: 2, name: '问责', after: 'PT1H', notify: ['secretary'] },
        ],
      });
      expectInvalidText(res, 'steps[0].name');
    });

    it('e-mail (URIError before)', async () => {
      const res = await as({ token: admin }).post('/api/v1/users', {
        username: 'surrogate-mail',
        displayName: '张三',
        password: 'a-long-password-1',
        email: `zhang${LONE}@example.org`,
      });
      expectInvalidText(res, 'email');
    });

    it('a key of an object, a query string value and a path parameter', async () => {
      const key = await as(supervisor).post('/api/v1/problems', { [`x${LONE}`]: 1 });
      expect(key.status).toBe(400);
      expect(key.body.code).toBe('invalid_text');
      const query = await as(supervisor).get('/api/v1/problems?q=%00');
      expectInvalidText(query, 'q');
      const path = await as(supervisor).get('/api/v1/problems/%E0%A4%A');
      expect(path.status).toBe(400);
      expect(path.body).toMatchObject({ statusCode: 400, code: expect.any(String) });
    });
  });

  it('a multipart field value with NUL (problem import) is a 400 naming the field', async () => {
    const res = await t
      .http()
      .post('/api/v1/problems/import')
      .auth(secretary.token, { type: 'bearer' })
      .field('raisedByOrgId', `${county.id}\u0000`)
      .attach('file', Buffer.from('标题,问题描述\n一,二\n'), 'ledger.csv');
    expectInvalidText(res, 'raisedByOrgId');
  });

  it('JSON nested 400,000 levels deep is a 400, not a stack overflow', async () => {
    const n = 400_000;
    const res = await t
      .http()
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .set('Content-Type', 'application/json')
      .send(`{"name":${'['.repeat(n)}${']'.repeat(n)},"kind":"committee"}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'body_too_deep' });
  });

  it('a header or request line Node refuses is answered in the error shape', async () => {
    const res = await t
      .http()
      .get(`/api/v1/problems?q=${'x'.repeat(20_000)}`)
      .auth(admin, { type: 'bearer' });
    expect(res.status).toBe(431);
    expect(res.body).toMatchObject({ statusCode: 431, code: 'headers_too_large' });
  });

  describe('numbers out of range are a 400 naming the field', () => {
    const lists = [
      '/api/v1/orgs',
      '/api/v1/problems',
      '/api/v1/tasks',
      '/api/v1/notifications',
      '/api/v1/accountability-cases',
      '/api/v1/admin/deliveries',
    ];
    it.each(lists)('%s?page=99999999999999999999', async (url) => {
      const res = await as({ token: admin }).get(`${url}?page=99999999999999999999`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'page' })]),
      );
    });

    it('pageSize 1e400 and a page past 2^53', async () => {
      for (const q of ['pageSize=1e400', 'page=9007199254740993', 'page=-1', 'page=1.5']) {
        const res = await as({ token: admin }).get(`/api/v1/tasks?${q}`);
        expect(res.status).toBe(400);
        expect(res.body.errors[0].field).toBe(q.split('=')[0]);
      }
    });

    it('percent above 2^53 in a body', async () => {
      const id = await acceptedTask();
      const res = await t
        .http()
        .post(`/api/v1/tasks/${id}/progress`)
        .auth(responsible.token, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send('{"content":"进展","percent":1e400}');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('percent');
    });
  });

  it('50 parallel identical extension requests: exactly one 201, the rest 409', async () => {
    const id = await acceptedTask();
    await as(responsible)
      .post(`/api/v1/tasks/${id}/progress`, { content: '已完成一半' })
      .expect(200);
    const body = { newDueAt: dueIn(40), reason: '需等待资金拨付' };
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        as(responsible).post(`/api/v1/tasks/${id}/extensions`, body),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        code: expect.any(String),
      });
    }
    const history = await as(responsible).get(`/api/v1/tasks/${id}/extensions`).expect(200);
    expect(history.body).toHaveLength(1);
  });
});
