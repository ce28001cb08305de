import { ApiClient } from '../support/api-client';
import { buildCsv, buildXlsx } from '../support/ledger-files';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

const HEADER = [
  '上级组织',
  '组织名称',
  '组织类型',
  '时区（可选）',
  '姓名',
  '用户名',
  '角色',
  '邮箱',
  '手机',
];

/**
 * 导入组织与人员: a county admin imports towns, branches and their secretaries under the county;
 * all or nothing, a dry run, per-row errors, within the caller's scope.
 */
describe('importing the org tree and its people (POST /orgs/import)', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string };
  let other: { id: string };
  let countyAdmin: Person;
  let townSecretary: Person;
  let existing: { id: string; username: string };

  const upload = (token: string, file: Buffer, query = '', name = '组织.xlsx') =>
    t
      .http()
      .post(`/api/v1/orgs/import${query}`)
      .auth(token, { type: 'bearer' })
      .attach('file', file, name);

  const counts = async () => {
    const [row] = await t.db.query(
      `SELECT (SELECT count(*) FROM orgs)::int AS orgs, (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM role_assignments)::int AS roles`,
    );
    return row as { orgs: number; users: number; roles: number };
  };

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    other = await api.createOrg(admin, { name: '另一县委', kind: 'committee' });
    const town = await api.createOrg(admin, {
      name: '城关镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    countyAdmin = await api.createPerson(admin, [{ orgId: county.id, role: 'admin' }], 'c-admin');
    townSecretary = await api.createPerson(admin, [{ orgId: town.id, role: 'secretary' }], 't-sec');
    existing = await api.createPerson(admin, [], 'existing');
  });
  afterAll(() => t.close());

  const goodRows = () => [
    HEADER,
    ['某某县委', '河口镇党委', '党委', '', '', '', '', '', ''],
    [
      '河口镇党委',
      '河口村党支部',
      '党支部',
      '',
      '王五',
      'wangwu',
      '书记',
      'wangwu@example.cn',
      '13800000001',
    ],
    ['河口镇党委', '河口村党支部', '', '', '', 'wangwu', '纪检', '', ''],
    ['河口镇党委/河口村党支部', '第一党小组', '党小组', '', '', existing.username, '成员', '', ''],
    ['城关镇党委', '第一支部', '党支部', 'Asia/Urumqi', '赵六', 'zhaoliu', '副书记', '', ''],
  ];

  it('dry run: checks everything, writes nothing', async () => {
    const before = await counts();
    const res = await upload(countyAdmin.token, await buildXlsx(goodRows()), '?dryRun=true').expect(
      200,
    );
    expect(res.body).toEqual({
      dryRun: true,
      orgsCreated: 4,
      orgsFound: 0,
      usersCreated: 2,
      rolesGranted: 4,
      newUsers: [],
    });
    expect(await counts()).toEqual(before);
  });

  it('imports orgs, accounts with a one-time initial password, and roles, in one go', async () => {
    const before = await counts();
    const res = await upload(countyAdmin.token, await buildXlsx(goodRows())).expect(201);
    expect(res.body).toMatchObject({
      dryRun: false,
      orgsCreated: 4,
      usersCreated: 2,
      rolesGranted: 4,
    });
    expect(await counts()).toEqual({
      orgs: before.orgs + 4,
      users: before.users + 2,
      roles: before.roles + 4,
    });
    const wangwu = res.body.newUsers.find((u: { username: string }) => u.username === 'wangwu');
    expect(wangwu.initialPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    const token = await api.login('wangwu', wangwu.initialPassword);
    // The secretary of the new branch sees it, and the group below it.
    const mine = await t.http().get('/api/v1/orgs').auth(token, { type: 'bearer' }).expect(200);
    expect(mine.body.items.map((o: { name: string }) => o.name).sort()).toEqual(
      ['河口村党支部', '第一党小组'].sort(),
    );
    const branch = mine.body.items.find((o: { name: string }) => o.name === '河口村党支部');
    expect(branch).toMatchObject({ kind: 'branch', timeZone: 'Asia/Shanghai' });
    const [zhaoliuBranch] = await t.db.query(
      `SELECT o.time_zone FROM orgs o WHERE o.name = '第一支部'`,
    );
    expect(zhaoliuBranch.time_zone).toBe('Asia/Urumqi');
    const audit = await t.db.query(
      `SELECT type, count(*)::int AS n FROM audit_events WHERE stream_type = 'org'
        AND data->>'imported' = 'true' GROUP BY type ORDER BY type`,
    );
    expect(audit).toEqual([
      { type: 'org_created', n: 4 },
      { type: 'role_granted', n: 4 },
    ]);

    // Importing the same file again finds everything and creates nothing.
    const again = await upload(countyAdmin.token, buildCsv(goodRows()), '', '组织.csv').expect(201);
    expect(again.body).toMatchObject({
      orgsCreated: 0,
      orgsFound: 5,
      usersCreated: 0,
      rolesGranted: 0,
    });
  });

  it('lists every wrong row with its column and imports nothing', async () => {
    const before = await counts();
    const res = await upload(
      countyAdmin.token,
      await buildXlsx([
        HEADER,
        ['某某县委', '新镇党委', '党委', '', '', '', '', '', ''],
        ['另一县委', '越界支部', '党支部', '', '', '', '', '', ''],
        ['新镇党委', '新支部', '科室', '', '', '', '', '', ''],
        ['新镇党委', '新支部二', '党支部', '', '', 'bad name', '主任', '', ''],
      ]),
    ).expect(400);
    expect(res.body.rows).toEqual([
      { row: 3, field: '上级组织', message: expect.stringMatching(/未找到上级组织/) },
      { row: 4, field: '组织类型', message: expect.stringMatching(/无法识别/) },
      { row: 5, field: '用户名', message: expect.any(String) },
      { row: 5, field: '角色', message: expect.any(String) },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('keeps a town secretary to their town, and new accounts to admins', async () => {
    const res = await upload(
      townSecretary.token,
      buildCsv([
        HEADER,
        ['城关镇党委', '第二支部', '党支部', '', '', '', '', '', ''],
        ['某某县委', '某镇党委', '党委', '', '', '', '', '', ''],
        ['城关镇党委', '第二支部', '', '', '孙七', 'sunqi', '成员', '', ''],
      ]),
      '',
      '组织.csv',
    ).expect(400);
    expect(res.body.rows.map((r: { row: number; field: string }) => [r.row, r.field])).toEqual([
      [3, '上级组织'],
      [4, '用户名'],
    ]);
    const ok = await upload(
      townSecretary.token,
      buildCsv([HEADER, ['城关镇党委', '第二支部', '党支部', '', '', 'zhaoliu', '成员', '', '']]),
      '',
      '组织.csv',
    ).expect(201);
    expect(ok.body).toMatchObject({ orgsCreated: 1, rolesGranted: 1, newUsers: [] });
  });

  it('refuses a file without the header, and a legacy .xls', async () => {
    const res = await upload(countyAdmin.token, buildCsv([['名称'], ['x']]), '', 'x.csv').expect(
      400,
    );
    expect(res.body.rows[0].field).toBe('组织名称');
    await upload(
      countyAdmin.token,
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]),
      '',
      'x.xls',
    ).expect(415);
    await t
      .http()
      .post('/api/v1/orgs/import')
      .auth(countyAdmin.token, { type: 'bearer' })
      .expect(400);
    expect(other.id).toBeDefined();
  });
});
