import request, { type Response } from 'supertest';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

const ORG_KINDS = ['committee', 'work_committee', 'general_branch', 'branch', 'group'];

/** Every error leaves as `{statusCode, error, message}`, with the status it announces. */
function expectErrorShape(res: Response, statusCode: number, error: string): void {
  expect(res.status).toBe(statusCode);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toMatchObject({ statusCode, error, message: expect.any(String) });
  expect(res.body.message.length).toBeGreaterThan(0);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
}

/** Requests that ask for English (Accept-Language: en): the messages below are its texts. */
const english = (t: TestApp) => request.agent(t.app.getHttpServer()).set('Accept-Language', 'en');

describe('invalid payloads get a 400 naming the field, never a 500', () => {
  let t: TestApp;
  let admin: string;
  let county: { id: string };

  const postOrg = (body: unknown) =>
    english(t)
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .send(body as object);

  beforeAll(async () => {
    t = await startTestApp();
    const api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
  });
  afterAll(() => t.close());

  it('names a missing field, in the message and in errors[]', async () => {
    const res = await postOrg({ kind: 'committee' });
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toMatch(/\bname\b/);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', code: 'invalid_type', message: expect.stringMatching(/^name /) },
      ]),
    );
    // Only the missing field is blamed.
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['name']),
    );
    expect(res.body.errors.every((e: { field: string }) => e.field === 'name')).toBe(true);
  });

  it('names every missing field of an empty object', async () => {
    const res = await postOrg({});
    expectErrorShape(res, 400, 'Bad Request');
    const fields = new Set(res.body.errors.map((e: { field: string }) => e.field));
    expect([...fields].sort()).toEqual(['kind', 'name']);
  });

  it('names a wrong enum value and lists the allowed values', async () => {
    const res = await postOrg({ name: '某党组', kind: 'party' });
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toMatch(/^kind must be one of /);
    for (const kind of ORG_KINDS) expect(res.body.message).toContain(kind);
    expect(res.body.errors).toEqual([
      { field: 'kind', code: 'not_allowed', message: res.body.message },
    ]);
  });

  it('names a wrong role value on a role assignment', async () => {
    const res = await english(t)
      .post(`/api/v1/orgs/${county.id}/roles`)
      .auth(admin, { type: 'bearer' })
      .send({ userId: '3f2b8c1e-0000-4000-8000-000000000001', role: 'chairman' });
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toMatch(/^role must be one of admin, secretary, deputy/);
  });

  it('refuses an unknown field instead of silently dropping it', async () => {
    const res = await postOrg({ name: '多余字段', kind: 'committee', x: 1 });
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toBe('x should not exist');
    expect(res.body.errors).toEqual([
      { field: 'x', code: 'unknown_field', message: 'x should not exist' },
    ]);
    // Nothing was created.
    const list = await english(t)
      .get('/api/v1/orgs?q=多余字段')
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(list.body.total).toBe(0);
  });

  it('names a path id that is not a UUID', async () => {
    const res = await english(t)
      .get('/api/v1/orgs/not-a-uuid')
      .auth(admin, { type: 'bearer' })
      .expect(400);
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toMatch(/^id must be a UUID/);

    const children = await english(t)
      .get('/api/v1/orgs/123/children')
      .auth(admin, { type: 'bearer' });
    expectErrorShape(children, 400, 'Bad Request');
    expect(children.body.message).toMatch(/^id must be a UUID/);

    const roles = await english(t)
      .post('/api/v1/orgs/1%27%20OR%201=1/roles')
      .auth(admin, { type: 'bearer' })
      .send({ userId: '3f2b8c1e-0000-4000-8000-000000000001', role: 'member' });
    expectErrorShape(roles, 400, 'Bad Request');
    expect(roles.body.message).toMatch(/^orgId must be a UUID/);
  });

  it('names a body id that is not a UUID', async () => {
    const res = await postOrg({ name: '第一支部', kind: 'branch', parentId: 'county' });
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toBe('parentId must be a UUID');
    expect(res.body.errors).toEqual([
      { field: 'parentId', code: 'invalid_uuid', message: 'parentId must be a UUID' },
    ]);

    const role = await english(t)
      .post(`/api/v1/orgs/${county.id}/roles`)
      .auth(admin, { type: 'bearer' })
      .send({ userId: 42, role: 'member' });
    expectErrorShape(role, 400, 'Bad Request');
    expect(role.body.errors).toEqual([
      { field: 'userId', code: 'invalid_uuid', message: 'userId must be a UUID' },
    ]);
  });

  it('answers malformed JSON with a 400 that says so', async () => {
    const res = await english(t)
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .set('Content-Type', 'application/json')
      .send('{"name": "某县委", "kind": ');
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toMatch(/malformed JSON/);
  });

  it('names fields of the wrong type', async () => {
    const res = await postOrg({ name: 123, kind: 'committee' });
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toContain('name must be a string');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', code: 'invalid_type', message: 'name must be a string' },
      ]),
    );
    expect(res.body.errors.every((e: { field: string }) => e.field === 'name')).toBe(true);

    const nested = await postOrg({ name: { zh: '县委' }, kind: ['committee'] });
    expectErrorShape(nested, 400, 'Bad Request');
    const fields = new Set(nested.body.errors.map((e: { field: string }) => e.field));
    expect([...fields].sort()).toEqual(['kind', 'name']);

    const tz = await postOrg({ name: '县委', kind: 'committee', timeZone: 8 });
    expectErrorShape(tz, 400, 'Bad Request');
    expect(tz.body.errors).toEqual([
      { field: 'timeZone', code: 'invalid_type', message: 'timeZone must be a string' },
    ]);

    const login = await english(t)
      .post('/api/v1/auth/login')
      .send({ username: ['admin'], password: true });
    expectErrorShape(login, 400, 'Bad Request');
    expect(login.body.message).toContain('username must be a string');
    expect(login.body.message).toContain('password must be a string');
  });

  it('names fields that are empty, too long or null', async () => {
    const empty = await postOrg({ name: '', kind: 'committee' });
    expectErrorShape(empty, 400, 'Bad Request');
    expect(empty.body.errors).toEqual([
      { field: 'name', code: 'invalid_length', message: 'name must be 1-200 characters' },
    ]);

    const long = await postOrg({ name: '党'.repeat(201), kind: 'committee' });
    expectErrorShape(long, 400, 'Bad Request');
    expect(long.body.message).toBe('name must be 1-200 characters');

    const nulls = await postOrg({ name: null, kind: null });
    expectErrorShape(nulls, 400, 'Bad Request');
    const fields = new Set(nulls.body.errors.map((e: { field: string }) => e.field));
    expect([...fields].sort()).toEqual(['kind', 'name']);
  });

  it('names bad query parameters', async () => {
    const big = await english(t).get('/api/v1/orgs?pageSize=1000').auth(admin, { type: 'bearer' });
    expectErrorShape(big, 400, 'Bad Request');
    expect(big.body.message).toBe('pageSize must be at most 200');
    expect(big.body.errors).toEqual([
      { field: 'pageSize', code: 'out_of_range', message: 'pageSize must be at most 200' },
    ]);

    const zero = await english(t).get('/api/v1/orgs?page=0').auth(admin, { type: 'bearer' });
    expectErrorShape(zero, 400, 'Bad Request');
    expect(zero.body.message).toBe('page must be at least 1');

    const fraction = await english(t).get('/api/v1/orgs?page=1.5').auth(admin, { type: 'bearer' });
    expectErrorShape(fraction, 400, 'Bad Request');
    expect(fraction.body.message).toBe('page must be a whole number starting at 1');

    const words = await english(t)
      .get(`/api/v1/orgs/${county.id}/children?pageSize=lots`)
      .auth(admin, { type: 'bearer' });
    expectErrorShape(words, 400, 'Bad Request');
    expect(words.body.message).toContain('pageSize must be a whole number between 1 and 200');
    expect(words.body.errors.every((e: { field: string }) => e.field === 'pageSize')).toBe(true);

    const kind = await english(t).get('/api/v1/orgs?kind=party').auth(admin, { type: 'bearer' });
    expectErrorShape(kind, 400, 'Bad Request');
    expect(kind.body.message).toMatch(/^kind must be one of /);

    const under = await english(t).get('/api/v1/orgs?under=root').auth(admin, { type: 'bearer' });
    expectErrorShape(under, 400, 'Bad Request');
    expect(under.body.message).toBe('under must be a UUID');

    const unknown = await english(t).get('/api/v1/orgs?sort=name').auth(admin, { type: 'bearer' });
    expectErrorShape(unknown, 400, 'Bad Request');
    expect(unknown.body.message).toBe('sort should not exist');

    // The limits themselves are accepted.
    const edge = await english(t)
      .get('/api/v1/orgs?page=1&pageSize=200')
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(edge.body).toMatchObject({ total: 1, page: 1, pageSize: 200 });
  });

  it('answers a page past the end with an empty page and the real total', async () => {
    const res = await english(t)
      .get('/api/v1/orgs?page=2&pageSize=50')
      .auth(admin, { type: 'bearer' });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 200,
      body: { items: [], total: 1, page: 2, pageSize: 50 },
    });
  });

  it('refuses a JSON array where an object is expected, saying so', async () => {
    const res = await postOrg([{ name: '数组县委', kind: 'committee' }]);
    expectErrorShape(res, 400, 'Bad Request');
    expect(res.body.message).toBe('body: must be a JSON object');
    const list = await english(t)
      .get('/api/v1/orgs?q=数组县委')
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(list.body.total).toBe(0);
  });

  it('refuses a JSON string, number, null or boolean body as malformed', async () => {
    for (const raw of ['"某县委"', '42', 'null', 'true']) {
      const res = await english(t)
        .post('/api/v1/orgs')
        .auth(admin, { type: 'bearer' })
        .set('Content-Type', 'application/json')
        .send(raw);
      expectErrorShape(res, 400, 'Bad Request');
      expect({ raw, message: res.body.message }).toEqual({
        raw,
        message: expect.stringMatching(/malformed JSON; send a valid JSON object/),
      });
    }
  });

  it('refuses a body in a charset other than UTF-8 with a 415', async () => {
    const res = await english(t)
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .set('Content-Type', 'application/json; charset=latin9')
      .send('{"name": "x", "kind": "committee"}');
    expectErrorShape(res, 415, 'Unsupported Media Type');
    expect(res.body.message).toMatch(/UTF-8/);
  });

  it('refuses a NUL character in text with a 400 instead of failing in PostgreSQL', async () => {
    // PostgreSQL text cannot hold U+0000; the request must be refused before it reaches SQL.
    const org = await postOrg({ name: '县\u0000委', kind: 'committee' });
    const login = await english(t)
      .post('/api/v1/auth/login')
      .send({ username: 'ad\u0000min', password: 'whatever' });
    const search = await english(t).get('/api/v1/orgs?q=%00').auth(admin, { type: 'bearer' });
    expect([org.status, login.status, search.status]).toEqual([400, expect.any(Number), 400]);
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(login.status).toBeLessThan(500);
    expectErrorShape(org, 400, 'Bad Request');
    expect(org.body.message).toMatch(/\bname\b/);
  });

  it('says it all in Chinese by default, naming each field by its label', async () => {
    const zh = (path: string) => t.http().post(path).auth(admin, { type: 'bearer' });
    const missing = await zh('/api/v1/orgs').send({ kind: 'committee' });
    expect(missing.body).toMatchObject({ code: 'validation_failed', message: '请填写名称' });
    expect(missing.body.errors).toEqual([
      { field: 'name', code: 'invalid_type', message: '请填写名称' },
    ]);

    const kind = await zh('/api/v1/orgs').send({ name: '某党组', kind: 'party' });
    expect(kind.body.message).toMatch(/^组织类型须为以下之一：/);
    for (const k of ORG_KINDS) expect(kind.body.message).toContain(k);

    const unknown = await zh('/api/v1/orgs').send({ name: '多余字段', kind: 'committee', x: 1 });
    expect(unknown.body.errors).toEqual([
      { field: 'x', code: 'unknown_field', message: '不接受字段 x，请删去' },
    ]);

    const long = await zh('/api/v1/orgs').send({ name: '党'.repeat(201), kind: 'committee' });
    expect(long.body.message).toBe('名称须为 1 至 200 个字符');

    const parent = await zh('/api/v1/orgs').send({ name: '支部', kind: 'branch', parentId: 'x' });
    expect(parent.body.message).toBe('上级组织格式不正确，须为 UUID');

    const path = await t.http().get('/api/v1/orgs/not-a-uuid').auth(admin, { type: 'bearer' });
    expect(path.body.message).toMatch(/^编号格式不正确，须为 UUID/);

    const page = await t.http().get('/api/v1/orgs?pageSize=1000').auth(admin, { type: 'bearer' });
    expect(page.body.errors).toEqual([
      { field: 'pageSize', code: 'out_of_range', message: '每页条数不能大于 200' },
    ]);

    const json = await zh('/api/v1/orgs').set('Content-Type', 'application/json').send('{"name": ');
    expect(json.body.message).toBe('请求内容不是有效的 JSON，请发送 JSON 对象');

    // Anything but English as the first choice gets Chinese.
    const french = await zh('/api/v1/orgs')
      .set('Accept-Language', 'fr-FR, en;q=0.5')
      .send({ kind: 'committee' });
    expect(french.body.message).toBe('请填写名称');
    expect(french.headers.vary).toMatch(/Accept-Language/);
  });
});

describe('an oversized body gets a 413', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_BODY_LIMIT: '1kb' });
    admin = await new ApiClient(t).adminToken();
  });
  afterAll(() => t.close());

  it('refuses a body over DUBAN_BODY_LIMIT with a 413 naming the limit', async () => {
    const res = await english(t)
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .send({ name: '县委', kind: 'committee', padding: 'x'.repeat(2048) });
    expectErrorShape(res, 413, 'Payload Too Large');
    expect(res.body.message).toMatch(/larger than the limit of 1kb/);
  });

  it('is refused before authentication: no token needed to learn the body is too big', async () => {
    const res = await english(t)
      .post('/api/v1/auth/login')
      .send({ username: 'admin', password: 'p'.repeat(4096) });
    expectErrorShape(res, 413, 'Payload Too Large');
  });

  it('still accepts a body under the limit', async () => {
    await english(t)
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .send({ name: '县委', kind: 'committee' })
      .expect(201);
  });
});
