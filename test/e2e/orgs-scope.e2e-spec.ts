import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * 县委 (committee)
 * ├── 第一党总支 (general_branch)
 * │   ├── 第一支部 (branch)  ← secretary A
 * │   └── 第二支部 (branch)  ← secretary B
 * └── 机关党委 (committee)
 */
describe('organisation tree and scope', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string; path: string[] };
  let general: { id: string };
  let branchA: { id: string };
  let branchB: { id: string };
  let countySecretary: { id: string; token: string };
  let secretaryA: { id: string; token: string };
  let memberB: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    general = await api.createOrg(admin, {
      name: '第一党总支',
      kind: 'general_branch',
      parentId: county.id,
    });
    branchA = await api.createOrg(admin, {
      name: '第一支部',
      kind: 'branch',
      parentId: general.id,
    });
    branchB = await api.createOrg(admin, {
      name: '第二支部',
      kind: 'branch',
      parentId: general.id,
    });
    await api.createOrg(admin, { name: '机关党委', kind: 'committee', parentId: county.id });
    countySecretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'county-sec',
    );
    secretaryA = await api.createPerson(admin, [{ orgId: branchA.id, role: 'secretary' }], 'sec-a');
    memberB = await api.createPerson(admin, [{ orgId: branchB.id, role: 'member' }], 'member-b');
  });
  afterAll(() => t.close());

  it('builds the tree with paths, depth and the default time zone', async () => {
    const res = await t
      .http()
      .get(`/api/v1/orgs/${branchA.id}`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(res.body).toMatchObject({
      id: branchA.id,
      name: '第一支部',
      kind: 'branch',
      parentId: general.id,
      path: [county.id, general.id, branchA.id],
      depth: 3,
      timeZone: 'Asia/Shanghai',
    });
  });

  it('lists children and the whole subtree', async () => {
    const children = await t
      .http()
      .get(`/api/v1/orgs/${county.id}/children`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(children.body.total).toBe(2);
    expect(children.body.items.map((o: { name: string }) => o.name).sort()).toEqual(
      ['机关党委', '第一党总支'].sort(),
    );
    const subtree = await t
      .http()
      .get(`/api/v1/orgs?under=${county.id}&pageSize=2`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(subtree.body.total).toBe(5);
    expect(subtree.body.items).toHaveLength(2);
    expect(subtree.body.items[0].id).toBe(county.id);
  });

  it('shows a branch secretary their own branch but not the sibling branch or anything above', async () => {
    const token = secretaryA.token;
    await t.http().get(`/api/v1/orgs/${branchA.id}`).auth(token, { type: 'bearer' }).expect(200);
    const sibling = await t
      .http()
      .get(`/api/v1/orgs/${branchB.id}`)
      .auth(token, { type: 'bearer' })
      .expect(404);
    expect(sibling.body.message).toBe('组织不存在或不在你的范围内');
    await t.http().get(`/api/v1/orgs/${general.id}`).auth(token, { type: 'bearer' }).expect(404);
    await t
      .http()
      .get(`/api/v1/orgs/${branchB.id}/children`)
      .auth(token, { type: 'bearer' })
      .expect(404);
    const all = await t.http().get('/api/v1/orgs').auth(token, { type: 'bearer' }).expect(200);
    expect(all.body.items.map((o: { id: string }) => o.id)).toEqual([branchA.id]);
  });

  it('lets the committee above see and act on both branches', async () => {
    const token = countySecretary.token;
    await t.http().get(`/api/v1/orgs/${branchA.id}`).auth(token, { type: 'bearer' }).expect(200);
    await t.http().get(`/api/v1/orgs/${branchB.id}`).auth(token, { type: 'bearer' }).expect(200);
    const all = await t.http().get('/api/v1/orgs').auth(token, { type: 'bearer' }).expect(200);
    expect(all.body.total).toBe(5);
    await t
      .http()
      .post(`/api/v1/orgs/${branchB.id}/roles`)
      .auth(token, { type: 'bearer' })
      .send({ userId: memberB.id, role: 'supervisor' })
      .expect(201);
  });

  it('lets a secretary create organisations and assign roles below their own org only', async () => {
    const token = secretaryA.token;
    const group = await t
      .http()
      .post('/api/v1/orgs')
      .auth(token, { type: 'bearer' })
      .send({ name: '第一党小组', kind: 'group', parentId: branchA.id })
      .expect(201);
    await t
      .http()
      .post(`/api/v1/orgs/${group.body.id}/roles`)
      .auth(token, { type: 'bearer' })
      .send({ userId: memberB.id, role: 'member' })
      .expect(201);
    // Not in their own org (only below it) …
    const own = await t
      .http()
      .post(`/api/v1/orgs/${branchA.id}/roles`)
      .auth(token, { type: 'bearer' })
      .send({ userId: memberB.id, role: 'deputy' })
      .expect(403);
    expect(own.body.message).toMatch(/在上级组织担任书记/);
    // … never the admin role …
    await t
      .http()
      .post(`/api/v1/orgs/${group.body.id}/roles`)
      .auth(token, { type: 'bearer' })
      .send({ userId: memberB.id, role: 'admin' })
      .expect(403);
    // … and never in the sibling branch, which they cannot even see.
    await t
      .http()
      .post('/api/v1/orgs')
      .auth(token, { type: 'bearer' })
      .send({ name: '越权小组', kind: 'group', parentId: branchB.id })
      .expect(404);
    await t
      .http()
      .post(`/api/v1/orgs/${branchB.id}/roles`)
      .auth(token, { type: 'bearer' })
      .send({ userId: memberB.id, role: 'member' })
      .expect(404);
  });

  it('refuses a plain member creating orgs, and anyone but the admin creating a top-level org or users', async () => {
    await t
      .http()
      .post('/api/v1/orgs')
      .auth(memberB.token, { type: 'bearer' })
      .send({ name: '小组', kind: 'group', parentId: branchB.id })
      .expect(403);
    const top = await t
      .http()
      .post('/api/v1/orgs')
      .auth(countySecretary.token, { type: 'bearer' })
      .send({ name: '另一个县委', kind: 'committee' })
      .expect(403);
    expect(top.body.message).toBe('只有系统管理员能创建顶级组织');
    await t
      .http()
      .post('/api/v1/users')
      .auth(countySecretary.token, { type: 'bearer' })
      .send({ username: 'someone', displayName: '某人', password: 'a-long-password-1' })
      .expect(403);
  });

  it('keeps the tree well formed: kinds, names and time zones', async () => {
    const badKind = await t
      .http()
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .send({ name: '支部下的党委', kind: 'committee', parentId: branchA.id })
      .expect(400);
    expect(badKind.body.message).toBe(
      '组织类型：committee 类组织不能设在 branch 之下，可设：group',
    );
    const dup = await t
      .http()
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .send({ name: '第一支部', kind: 'branch', parentId: general.id })
      .expect(409);
    expect(dup.body.message).toMatch(/已有.*组织/);
    const tz = await t
      .http()
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .send({ name: '时区错误', kind: 'branch', parentId: general.id, timeZone: 'Mars/Olympus' })
      .expect(400);
    expect(tz.body.errors).toEqual([
      {
        field: 'timeZone',
        code: 'invalid_format',
        message: expect.stringMatching(/IANA 时区/),
      },
    ]);
    const urumqi = await t
      .http()
      .post('/api/v1/orgs')
      .auth(admin, { type: 'bearer' })
      .send({ name: '乌鲁木齐支部', kind: 'branch', parentId: general.id, timeZone: 'Asia/Urumqi' })
      .expect(201);
    expect(urumqi.body.timeZone).toBe('Asia/Urumqi');
  });

  it('shows each user their roles in /me', async () => {
    const me = await t
      .http()
      .get('/api/v1/me')
      .auth(secretaryA.token, { type: 'bearer' })
      .expect(200);
    expect(me.body.roles).toEqual([{ orgId: branchA.id, orgName: '第一支部', role: 'secretary' }]);
    expect(me.body.systemAdmin).toBe(false);
  });
});
