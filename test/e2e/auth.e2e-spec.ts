import { ApiClient } from '../support/api-client';
import { ADMIN, startTestApp, TestApp } from '../support/test-app';

describe('login and tokens', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_LOGIN_MAX_FAILURES: '3', DUBAN_TOKEN_TTL_SECONDS: '3600' });
    api = new ApiClient(t);
  });
  afterAll(() => t.close());

  it('logs in with the right password and returns a token with an expiry and the user', async () => {
    const res = await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
    expect(res.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(new Date(res.body.expiresAt).getTime()).toBe(
      Math.floor(t.clock.now().getTime() / 1000) * 1000 + 3600_000,
    );
    expect(res.body.user).toMatchObject({ username: 'admin', systemAdmin: true });
    expect(res.body.user.roles).toEqual([{ orgId: null, orgName: null, role: 'admin' }]);
    expect(JSON.stringify(res.body)).not.toMatch(/password/i);
  });

  it('accepts the username in any case', async () => {
    await t
      .http()
      .post('/api/v1/auth/login')
      .send({ ...ADMIN, username: 'ADMIN' })
      .expect(200);
  });

  it('answers 401 for a wrong password and for an unknown user, alike', async () => {
    const wrong = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ ...ADMIN, password: 'nope' })
      .expect(401);
    const unknown = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ username: 'nobody', password: 'nope' })
      .expect(401);
    expect(wrong.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: '用户名或密码错误',
      code: 'unauthenticated',
    });
    expect(unknown.body).toEqual(wrong.body);
  });

  it('needs a token on every other endpoint', async () => {
    const res = await t.http().get('/api/v1/me').expect(401);
    expect(res.body.message).toMatch(/Bearer/);
    await t.http().get('/api/v1/orgs').expect(401);
    await t.http().post('/api/v1/users').send({}).expect(401);
  });

  it('refuses a tampered token', async () => {
    const token = await api.adminToken();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url');
    await t
      .http()
      .get('/api/v1/me')
      .auth(`${header}.${forged}.${signature}`, { type: 'bearer' })
      .expect(401);
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    await t
      .http()
      .get('/api/v1/me')
      .auth(`${header}.${payload}.${flipped}`, { type: 'bearer' })
      .expect(401);
    await t.http().get('/api/v1/me').auth(token, { type: 'bearer' }).expect(200);
  });

  it('refuses a token once it has expired, by the injected clock', async () => {
    const token = await api.adminToken();
    t.clock.advance(3599_000);
    await t.http().get('/api/v1/me').auth(token, { type: 'bearer' }).expect(200);
    t.clock.advance(2_000);
    const res = await t.http().get('/api/v1/me').auth(token, { type: 'bearer' }).expect(401);
    expect(res.body.message).toMatch(/已过期/);
  });

  it('rate-limits failed logins per account with 429, and a success after the window works', async () => {
    const admin = await api.adminToken();
    const victim = await api.createPerson(admin, [], 'victim');
    for (let i = 0; i < 3; i++) {
      await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: victim.username, password: 'wrong' })
        .expect(401);
    }
    const limited = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ username: victim.username, password: 'a-long-password-1' })
      .expect(429);
    expect(limited.body.message).toMatch(/^登录失败次数过多，请 \d+ 秒后再试$/);
    // Other accounts are unaffected by this account's failures.
    await t.http().post('/api/v1/auth/login').send(ADMIN).expect(200);
  });
});
