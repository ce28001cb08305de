import { REDIS } from '#duban/platform';
import type { Redis } from 'ioredis';
import { ApiClient } from '../support/api-client';
import { ADMIN, startTestApp, TestApp } from '../support/test-app';

const MAX = 5;

describe('login throttling (per account and address, growing delays)', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({
      DUBAN_LOGIN_MAX_FAILURES: String(MAX),
      DUBAN_TRUST_PROXY: 'loopback',
    });
    api = new ApiClient(t);
    admin = await api.adminToken();
  });
  afterAll(() => t.close());

  const login = (username: string, password: string, from: string) =>
    t.http().post('/api/v1/auth/login').set('X-Forwarded-For', from).send({ username, password });

  it('gives 40 parallel wrong passwords at most the configured number of 401s, the rest 429', async () => {
    const victim = await api.createPerson(admin, [], 'parallel');
    const results = await Promise.all(
      Array.from({ length: 40 }, () => login(victim.username, 'wrong-password', '203.0.113.1')),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - MAX);
    const throttled = results.find((r) => r.status === 429)!;
    expect(throttled.body).toMatchObject({ statusCode: 429, code: 'login_throttled' });
    expect(throttled.body.message).toMatch(/登录失败次数过多/);
    expect(Number(throttled.headers['retry-after'])).toBe(2);
    // The right password from the attacking address is throttled too (no password check)…
    await login(victim.username, 'a-long-password-1', '203.0.113.1').expect(429);
    // …but the owner, at an address that has not been failing, gets in: nobody locks them out.
    await login(victim.username, 'a-long-password-1', '198.51.100.7').expect(200);
  });

  it('makes each further attempt wait 2, 4, 8 … seconds after the last one', async () => {
    const victim = await api.createPerson(admin, [], 'delays');
    const from = '203.0.113.2';
    for (let i = 0; i < MAX; i++) await login(victim.username, 'wrong', from).expect(401);
    expect((await login(victim.username, 'wrong', from).expect(429)).headers['retry-after']).toBe(
      '2',
    );
    t.clock.advance(2000);
    await login(victim.username, 'wrong', from).expect(401);
    const next = await login(victim.username, 'wrong', from).expect(429);
    expect(next.headers['retry-after']).toBe('4');
    t.clock.advance(3000);
    expect((await login(victim.username, 'wrong', from).expect(429)).headers['retry-after']).toBe(
      '1',
    );
    t.clock.advance(1000);
    // The right password after the wait gets in and clears this address's count for the account.
    await login(victim.username, 'a-long-password-1', from).expect(200);
    await login(victim.username, 'wrong', from).expect(401);
  });

  it('counts every spelling of a name as the one account (case, fullwidth letters)', async () => {
    const victim = await api.createPerson(admin, [], 'spelling');
    const from = '203.0.113.3';
    const fullwidth = [...victim.username]
      .map((c) => (/[A-Za-z0-9]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))
      .join('');
    const spellings = [victim.username.toUpperCase(), fullwidth, victim.username];
    for (let i = 0; i < MAX; i++) {
      await login(spellings[i % spellings.length], 'wrong', from).expect(401);
    }
    for (const spelling of spellings) await login(spelling, 'wrong', from).expect(429);
    // The fullwidth spelling is the same account: it logs in elsewhere with the right password.
    const res = await login(fullwidth, 'a-long-password-1', '198.51.100.8').expect(200);
    expect(res.body.user.username).toBe(victim.username);
  });

  it('lets no look-alike with a dotted capital I (U+0130) log in as the real account', async () => {
    const victim = await api.createPerson(admin, [], 'discipline');
    const lookAlike = victim.username.replace('i', '\u0130');
    expect(lookAlike).not.toBe(victim.username);
    await login(lookAlike, 'a-long-password-1', '203.0.113.4').expect(401);
    await login(victim.username, 'a-long-password-1', '203.0.113.4').expect(200);
  });

  it('slows down one address spraying many accounts (5 × the limit over all of them)', async () => {
    const from = '203.0.113.5';
    for (let i = 0; i < 5 * MAX; i++) {
      await login(`nobody-${i}`, 'wrong', from).expect(401);
    }
    await login('nobody-new', 'wrong', from).expect(429);
    await login(ADMIN.username, ADMIN.password, from).expect(429);
    await login(ADMIN.username, ADMIN.password, '198.51.100.9').expect(200);
  });
});

describe('X-Forwarded-For without DUBAN_TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DUBAN_LOGIN_MAX_FAILURES: String(MAX) });
  });
  afterAll(() => t.close());

  it('is ignored: a client on loopback cannot pose as many addresses', async () => {
    const api = new ApiClient(t);
    const victim = await api.createPerson(await api.adminToken(), [], 'xff');
    const attempt = (username: string, i: number) =>
      t
        .http()
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', `192.0.2.${i + 1}`)
        .send({ username, password: 'wrong' });
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 3; i++) statuses.push((await attempt(victim.username, i)).status);
    expect(statuses).toEqual([...Array(MAX).fill(401), 429, 429, 429]);
    // Spraying many accounts from "many addresses" is one address's spraying.
    const sprayed: number[] = [];
    for (let i = 0; i < 5 * MAX; i++) sprayed.push((await attempt(`sprayed-${i}`, i)).status);
    expect(sprayed.filter((s) => s === 401)).toHaveLength(5 * MAX - MAX);
    expect(sprayed.slice(-1)).toEqual([429]);
  });
});

describe('login while Redis is unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is refused with 503 login_unavailable, never unlimited', async () => {
    await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
    const redis = t.app.get<Redis>(REDIS);
    redis.disconnect();
    const res = await t.http().post('/api/v1/auth/login').send(ADMIN).expect(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'login_unavailable' });
    expect(res.body.message).toMatch(/登录暂不可用/);
    await t
      .http()
      .post('/api/v1/auth/login')
      .send({ ...ADMIN, password: 'wrong' })
      .expect(503);
  });
});

describe('revoking tokens: logout, disabling, a new password', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t);
    admin = await api.adminToken();
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http().get('/api/v1/me').auth(token, { type: 'bearer' });

  it('logout stops the token at once, and only that token', async () => {
    const person = await api.createPerson(admin, [], 'logout');
    const other = await api.login(person.username, 'a-long-password-1');
    await me(person.token).expect(200);
    await t.http().post('/api/v1/auth/logout').auth(person.token, { type: 'bearer' }).expect(204);
    const res = await me(person.token).expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'token_revoked' });
    expect(res.body.message).toMatch(/令牌已撤销/);
    await t.http().post('/api/v1/auth/logout').auth(person.token, { type: 'bearer' }).expect(401);
    await me(other).expect(200);
  });

  it('disabling a user stops every token of theirs at once, and re-enabling does not revive them', async () => {
    const person = await api.createPerson(admin, [], 'disabled');
    const patch = (body: object) =>
      t.http().patch(`/api/v1/users/${person.id}`).auth(admin, { type: 'bearer' }).send(body);
    const res = await patch({ disabled: true, displayName: '停用者' }).expect(200);
    expect(res.body).toMatchObject({ id: person.id, disabled: true, displayName: '停用者' });
    await me(person.token).expect(401);
    await t
      .http()
      .post('/api/v1/auth/login')
      .send({ username: person.username, password: 'a-long-password-1' })
      .expect(401);
    await patch({ disabled: false }).expect(200);
    await me(person.token).expect(401);
    const fresh = await api.login(person.username, 'a-long-password-1');
    await me(fresh).expect(200);
  });

  it('setting a password stops the old tokens; the new password works', async () => {
    const person = await api.createPerson(admin, [], 'password');
    await t
      .http()
      .post(`/api/v1/users/${person.id}/password`)
      .auth(admin, { type: 'bearer' })
      .send({ password: 'a-new-long-password-2' })
      .expect(204);
    await me(person.token).expect(401);
    await api.login(person.username, 'a-new-long-password-2');
    await t
      .http()
      .post(`/api/v1/users/${person.id}/password`)
      .auth(admin, { type: 'bearer' })
      .send({ password: 'short' })
      .expect(400);
  });

  it("a new password also ends the queue dashboard's browser session", async () => {
    const own = await api.adminToken();
    const session = await t
      .http()
      .post('/api/v1/admin/queues-session')
      .auth(own, { type: 'bearer' })
      .expect(201);
    const cookie = ([] as string[]).concat(session.headers['set-cookie'] ?? [])[0].split(';')[0];
    await t.http().get('/admin/queues/api/queues').set('Cookie', cookie).expect(200);
    const id = (await me(own).expect(200)).body.id as string;
    await t
      .http()
      .post(`/api/v1/users/${id}/password`)
      .auth(own, { type: 'bearer' })
      .send({ password: ADMIN.password })
      .expect(204);
    await t.http().get('/admin/queues/api/queues').set('Cookie', cookie).expect(401);
    await me(own).expect(401);
    admin = await api.adminToken();
  });

  it('lets an org admin manage only the people of their subtree, never the system admin', async () => {
    const county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    const town = await api.createOrg(admin, {
      name: '某镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    const townAdmin = await api.createPerson(admin, [{ orgId: town.id, role: 'admin' }], 'ta');
    const inTown = await api.createPerson(admin, [{ orgId: town.id, role: 'member' }], 'tm');
    const inCounty = await api.createPerson(admin, [{ orgId: county.id, role: 'member' }], 'cm');
    const sysAdmin = (await me(admin).expect(200)).body.id as string;
    const patch = (id: string, body: object) =>
      t.http().patch(`/api/v1/users/${id}`).auth(townAdmin.token, { type: 'bearer' }).send(body);
    await patch(inTown.id, { email: 'tm@example.org' }).expect(200);
    await patch(inCounty.id, { disabled: true }).expect(403);
    const refused = await patch(sysAdmin, { disabled: true }).expect(403);
    expect(refused.body.code).toBe('forbidden');
    await patch(townAdmin.id, { disabled: true }).expect(403);
    await patch(inTown.id, { email: 'not-an-address' }).expect(400);
    await t
      .http()
      .patch('/api/v1/users/00000000-0000-4000-8000-000000000000')
      .auth(admin, { type: 'bearer' })
      .send({ disabled: true })
      .expect(404);
    await me(admin).expect(200);
  });
});
