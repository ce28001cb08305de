import { ApiClient } from '../support/api-client';
import { binaryParser, buildCsv, buildXlsx } from '../support/ledger-files';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { startTestApp, TestApp } from '../support/test-app';

type Cell = string | number | Date | null;

const HEADER = [
  '序号',
  '问题标题',
  '问题描述',
  '问题分类',
  '严重程度',
  '问题来源',
  '批次',
  '问题所在单位',
  '整改措施',
  '整改方式',
  '责任单位',
  '责任人',
  '分管领导',
  '整改时限',
  '备注',
];
const CAMPAIGN = '2026年第四季度党建督查';

/**
 * 某某县委 (committee)
 * ├── 第一党总支 ── 第一支部, 第二支部
 * └── 第二党总支 ── 第一支部 (a cousin with the same name)
 */
describe('POST /problems/import: a problem list from a ledger file, all or nothing', () => {
  let t: TestApp;
  let county: { id: string };
  let general1: { id: string };
  let a1: { id: string };
  let a2: { id: string };
  let b1: { id: string };
  let supervisor: NamedPerson;
  let member: NamedPerson;
  let zhang: NamedPerson;
  let li: NamedPerson;
  let leader: NamedPerson;
  let siblingSecretary: NamedPerson;

  const upload = (
    who: NamedPerson,
    file: Buffer,
    query: Record<string, string> = {},
    name = 'ledger.xlsx',
  ) =>
    t
      .http()
      .post(`/api/v1/problems/import?${new URLSearchParams(query)}`)
      .auth(who.token, { type: 'bearer' })
      .attach('file', file, name);

  const counts = async () => {
    const [row] = await t.db.query(
      `SELECT (SELECT count(*) FROM problems)::int AS problems,
              (SELECT count(*) FROM tasks)::int AS tasks,
              (SELECT count(*) FROM audit_events)::int AS events`,
    );
    return row as { problems: number; tasks: number; events: number };
  };

  /** Two problems, three measures: rows 2-3 are one problem (same title, org, campaign). */
  const goodRows = (suffix: string): Cell[][] => [
    HEADER,
    [
      1,
      `第一支部“三会一课”不规范${suffix}`,
      '支部党员大会、支委会会议记录缺失',
      '组织生活、“三会一课”、民主集中制、制度落实',
      '严重',
      '季度督查',
      CAMPAIGN,
      '第一党总支/第一支部',
      '补齐2026年会议记录',
      '限期整改',
      '第一党总支/第一支部',
      '张三',
      '赵分管',
      new Date(Date.UTC(2026, 11, 31)),
      '备注不导入',
    ],
    [
      2,
      `第一支部“三会一课”不规范${suffix}`,
      '',
      '',
      '',
      '',
      CAMPAIGN,
      '第一党总支/第一支部',
      '建立“三会一课”长效机制',
      '长期坚持',
      '第二支部',
      'lisi',
      '',
      '',
      '',
    ],
    [
      3,
      `第二支部党员教育管理薄弱${suffix}`,
      '党员集中学习次数不足',
      'member_education',
      '一般',
      '自查',
      CAMPAIGN,
      '第二支部',
      '开展党员集中轮训',
      '立行立改',
      '第二支部',
      '李四',
      '赵分管',
      '2026/11/20',
      '',
    ],
  ];

  beforeAll(async () => {
    t = await startTestApp();
    const api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    general1 = await api.createOrg(admin, {
      name: '第一党总支',
      kind: 'general_branch',
      parentId: county.id,
    });
    const general2 = await api.createOrg(admin, {
      name: '第二党总支',
      kind: 'general_branch',
      parentId: county.id,
    });
    a1 = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: general1.id });
    a2 = await api.createOrg(admin, { name: '第二支部', kind: 'branch', parentId: general1.id });
    b1 = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: general2.id });
    const named = (roles: { orgId: string; role: string }[], username: string, name: string) =>
      createNamedPerson(t, admin, roles, username, name);
    supervisor = await named([{ orgId: county.id, role: 'supervisor' }], 'import-sup', '督查员');
    member = await named([{ orgId: county.id, role: 'member' }], 'import-member', '县委干事');
    zhang = await named([{ orgId: a1.id, role: 'member' }], 'zhangsan', '张三');
    li = await named([{ orgId: a2.id, role: 'secretary' }], 'lisi', '李四');
    leader = await named([{ orgId: county.id, role: 'member' }], 'zhao', '赵分管');
    siblingSecretary = await named([{ orgId: b1.id, role: 'secretary' }], 'b1-sec', '钱书记');
    // Two people called 王芳 in 第一支部: a display name that needs the username.
    await named([{ orgId: a1.id, role: 'member' }], 'wangfang1', '王芳');
    await named([{ orgId: a1.id, role: 'member' }], 'wangfang2', '王芳');
  });
  afterAll(() => t.close());

  it('imports a good xlsx file: 2 problems with 3 measures, in one go', async () => {
    const before = await counts();
    const res = await upload(supervisor, await buildXlsx(goodRows('')), {
      raisedByOrgId: county.id,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ dryRun: false, problems: 2, tasks: 3 });
    expect(res.body.problemIds).toHaveLength(2);
    const after = await counts();
    expect(after.problems - before.problems).toBe(2);
    expect(after.tasks - before.tasks).toBe(3);

    const first = await t
      .http()
      .get(`/api/v1/problems/${res.body.problemIds[0]}`)
      .auth(supervisor.token, { type: 'bearer' })
      .expect(200);
    expect(first.body).toMatchObject({
      title: '第一支部“三会一课”不规范',
      description: '支部党员大会、支委会会议记录缺失',
      category: 'organisational_life',
      severity: 'serious',
      source: 'quarterly_check',
      campaign: CAMPAIGN,
      orgId: a1.id,
      raisedByOrgId: county.id,
      raisedBy: supervisor.id,
      taskCount: 2,
    });
    const tasks = Object.fromEntries(
      first.body.tasks.map((x: { measure: string }) => [x.measure, x]),
    );
    expect(tasks['补齐2026年会议记录']).toMatchObject({
      responsibleOrgId: a1.id,
      responsibleUserId: zhang.id,
      leaderUserId: leader.id,
      mode: 'deadline',
      state: 'assigned',
      dueAt: '2026-12-31T15:59:59.999Z', // end of that day in Beijing
    });
    expect(tasks['建立“三会一课”长效机制']).toMatchObject({
      responsibleOrgId: a2.id,
      responsibleUserId: li.id,
      leaderUserId: null,
      mode: 'standing',
      dueAt: null,
    });
    const second = await t
      .http()
      .get(`/api/v1/problems/${res.body.problemIds[1]}`)
      .auth(supervisor.token, { type: 'bearer' })
      .expect(200);
    expect(second.body).toMatchObject({
      orgId: a2.id,
      category: 'member_education',
      severity: 'general',
      source: 'self_inspection',
    });
    expect(second.body.tasks[0]).toMatchObject({
      mode: 'immediate',
      dueAt: '2026-11-20T15:59:59.999Z',
    });
    // Every row left its record, as if raised by hand.
    const timeline = await t
      .http()
      .get(`/api/v1/tasks/${second.body.tasks[0].id}/timeline`)
      .auth(supervisor.token, { type: 'bearer' })
      .expect(200);
    expect(timeline.body[0]).toMatchObject({ type: 'assigned', actorId: supervisor.id });
  });

  it('reports the errors of rows 3 and 5 together, by row and column, and imports nothing', async () => {
    const rows = goodRows('（错误）');
    rows[2][11] = '不存在的人'; // row 3: nobody of that name in 第二支部
    rows.push([
      4,
      '第二支部阵地不达标（错误）',
      '',
      '阵地建设',
      '严重',
      '巡视巡察',
      CAMPAIGN,
      '第二支部',
      '恢复党员活动室',
      '限期整改',
      '第二支部',
      '李四',
      '',
      '2026-02-30',
      '',
    ]); // row 5: no such category, no such date
    rows.push([
      5,
      '第一支部组织覆盖不到位（错误）',
      '',
      '组织体系、组织覆盖',
      '一般',
      '自查',
      '',
      '第一党总支/第一支部',
      '调整党小组设置',
      '限期整改',
      '第一党总支/第一支部',
      'zhangsan',
      '',
      '2026年12月1日',
      '',
    ]); // row 6: fine
    const before = await counts();
    const res = await upload(supervisor, await buildXlsx(rows), { raisedByOrgId: county.id });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(/未导入任何内容/);
    expect(res.body.rows).toEqual([
      { row: 3, field: '责任人', message: expect.stringContaining('“不存在的人”') },
      {
        row: 5,
        field: '问题分类',
        message: expect.stringContaining('“阵地建设”不是问题类别'),
      },
      { row: 5, field: '整改时限', message: expect.stringContaining('“2026-02-30”不是日期') },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('checks a dry run exactly as an import, and writes nothing', async () => {
    const before = await counts();
    const res = await upload(supervisor, await buildXlsx(goodRows('（试导入）')), {
      raisedByOrgId: county.id,
      dryRun: 'true',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      dryRun: true,
      problems: 2,
      tasks: 3,
      problemIds: [],
      warnings: [],
      importId: null,
    });
    expect(await counts()).toEqual(before);

    const bad = goodRows('（试导入）');
    bad[3][13] = '2026-10-01'; // before the clock's today
    const refused = await upload(supervisor, await buildXlsx(bad), {
      raisedByOrgId: county.id,
      dryRun: 'true',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.rows).toEqual([
      { row: 4, field: '整改时限', message: expect.stringMatching(/2026-10-01 已过/) },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('reads CSV in UTF-8 with a BOM (and GBK, as Excel saves it), options in the form', async () => {
    const rows = goodRows('（CSV）');
    const res = await t
      .http()
      .post('/api/v1/problems/import')
      .auth(supervisor.token, { type: 'bearer' })
      .field('raisedByOrgId', county.id)
      .attach('file', buildCsv(rows), { filename: '问题清单.csv', contentType: 'text/csv' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ problems: 2, tasks: 3 });
    const got = await t
      .http()
      .get(`/api/v1/problems/${res.body.problemIds[0]}`)
      .auth(supervisor.token, { type: 'bearer' })
      .expect(200);
    expect(got.body.title).toBe('第一支部“三会一课”不规范（CSV）');

    const gbk = (text: string) => {
      // A tiny GBK encoder for the test: the file as Excel on Chinese Windows writes it.
      const decoder = new TextDecoder('gb18030');
      const bytes: number[] = [];
      for (const ch of text) {
        if (ch.charCodeAt(0) < 0x80) {
          bytes.push(ch.charCodeAt(0));
          continue;
        }
        let found = false;
        for (let hi = 0x81; hi <= 0xfe && !found; hi++) {
          for (let lo = 0x40; lo <= 0xfe && !found; lo++) {
            if (decoder.decode(new Uint8Array([hi, lo])) === ch) {
              bytes.push(hi, lo);
              found = true;
            }
          }
        }
        if (!found) throw new Error(`no GBK code for ${ch}`);
      }
      return Buffer.from(bytes);
    };
    const small = [
      HEADER.slice(0, 14),
      [
        1,
        '第二支部学习不够',
        '',
        '党员教育管理',
        '一般',
        '自查',
        '',
        '第二支部',
        '补课',
        '限期整改',
        '第二支部',
        '李四',
        '',
        '2026-12-01',
      ],
    ];
    const text = buildCsv(small, false).toString('utf8');
    const fromExcel = await upload(supervisor, gbk(text), { raisedByOrgId: county.id }, 'a.csv');
    expect(fromExcel.status).toBe(201);
    const imported = await t
      .http()
      .get(`/api/v1/problems/${fromExcel.body.problemIds[0]}`)
      .auth(supervisor.token, { type: 'bearer' })
      .expect(200);
    expect(imported.body).toMatchObject({ title: '第二支部学习不够', orgId: a2.id });
  });

  it('refuses an ambiguous org or person name, naming the candidates', async () => {
    const rows = goodRows('（重名）');
    rows[1][7] = '第一支部';
    rows[2][7] = '第一支部';
    rows[1][11] = '王芳';
    rows[1][10] = '第一党总支/第一支部';
    const before = await counts();
    const res = await upload(supervisor, await buildXlsx(rows), { raisedByOrgId: county.id });
    expect(res.status).toBe(400);
    expect(res.body.rows).toEqual([
      {
        row: 2,
        field: '问题所在单位',
        message: expect.stringContaining(
          '有 2 个同名组织（某某县委/第一党总支/第一支部；某某县委/第二党总支/第一支部）',
        ),
      },
      {
        row: 2,
        field: '责任人',
        message: expect.stringContaining('请改填用户名（wangfang1、wangfang2）'),
      },
      { row: 3, field: '问题所在单位', message: expect.stringContaining('同名') },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('checks the file itself, the rows of one problem, and who may import', async () => {
    const missing = goodRows('（缺列）').map((r) => r.filter((_, i) => i !== 11));
    let res = await upload(supervisor, await buildXlsx(missing), { raisedByOrgId: county.id });
    expect(res.status).toBe(400);
    expect(res.body.rows).toEqual([
      { row: 1, field: '责任人', message: 'the column 责任人 is missing from the header row' },
    ]);

    const conflicting = goodRows('（冲突）');
    conflicting[2][4] = '重大'; // row 3 says another severity for the problem of row 2
    res = await upload(supervisor, await buildXlsx(conflicting), { raisedByOrgId: county.id });
    expect(res.status).toBe(400);
    expect(res.body.rows).toEqual([
      { row: 3, field: '严重程度', message: expect.stringContaining('differs from row 2') },
    ]);

    // A title line above the header, as printed ledgers have, and no 序号 column.
    const titled = [['2026年第四季度整改台账'], ...goodRows('（标题行）').map((r) => r.slice(1))];
    res = await upload(supervisor, await buildXlsx(titled), {
      raisedByOrgId: county.id,
      dryRun: 'true',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ problems: 2, tasks: 3 });

    // Merged cells: the problem's cells are blank on its second measure row.
    const merged = goodRows('（合并单元格）');
    merged[2] = merged[2].map((v, i) => (i <= 7 ? '' : v));
    res = await upload(supervisor, await buildXlsx(merged), {
      raisedByOrgId: county.id,
      dryRun: 'true',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ problems: 2, tasks: 3 });

    const good = await buildXlsx(goodRows('（权限）'));
    res = await upload(member, good, { raisedByOrgId: county.id });
    expect(res.status).toBe(403);
    res = await upload(siblingSecretary, good, { raisedByOrgId: county.id });
    expect(res.status).toBe(404);
    res = await upload(supervisor, good, {});
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/raisedByOrgId: required/);
    res = await t
      .http()
      .post(`/api/v1/problems/import?raisedByOrgId=${county.id}`)
      .auth(supervisor.token, { type: 'bearer' })
      .field('dryRun', 'true');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^请上传台账文件/);
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      good,
    ]);
    res = await upload(supervisor, xls, { raisedByOrgId: county.id }, 'old.xls');
    expect(res.status).toBe(415);
    expect(res.body.message).toMatch(/另存为 \.xlsx/);
  });

  it('refuses more than 5,000 rows with 413, before checking any', async () => {
    const row = goodRows('（超限）')[1];
    const rows = [HEADER, ...Array.from({ length: 5001 }, () => row)];
    const before = await counts();
    const res = await upload(supervisor, buildCsv(rows), { raisedByOrgId: county.id }, 'big.csv');
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/一次至多导入 5000 行/);
    expect(await counts()).toEqual(before);
  });

  it('recognises a file imported before (same bytes, or same problems) with 409, unless force', async () => {
    const xlsx = await buildXlsx(goodRows('（重复）'));
    const first = await upload(supervisor, xlsx, { raisedByOrgId: county.id });
    expect(first.status).toBe(201);
    expect(first.body.importId).toEqual(expect.any(String));
    const before = await counts();

    const again = await upload(supervisor, xlsx, { raisedByOrgId: county.id });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      statusCode: 409,
      error: 'Conflict',
      code: 'duplicate_import',
      earlierImport: {
        id: first.body.importId,
        importedBy: { id: supervisor.id, displayName: '督查员' },
        problems: 2,
        tasks: 3,
        match: 'file',
      },
    });
    expect(again.body.message).toContain('督查员');
    expect(new Date(again.body.earlierImport.importedAt).getTime()).toBe(t.clock.now().getTime());
    // A dry run says so too.
    const dry = await upload(supervisor, xlsx, { raisedByOrgId: county.id, dryRun: 'true' });
    expect(dry.status).toBe(409);

    // The same problems from another file (CSV, rows reordered): recognised as well.
    const [header, ...rows] = goodRows('（重复）');
    const csv = buildCsv([header, rows[2], rows[0], rows[1]]);
    const twin = await upload(supervisor, csv, { raisedByOrgId: county.id }, 'ledger.csv');
    expect(twin.status).toBe(409);
    expect(twin.body.earlierImport).toMatchObject({ id: first.body.importId, match: 'problems' });
    expect(await counts()).toEqual(before);

    const forced = await upload(supervisor, xlsx, { raisedByOrgId: county.id, force: 'true' });
    expect(forced.status).toBe(201);
    expect(forced.body.problems).toBe(2);
    const [recorded] = await t.db.query(
      `SELECT forced, problems, tasks, content_sha256 FROM problem_imports WHERE id = $1`,
      [forced.body.importId],
    );
    expect(recorded).toMatchObject({ forced: true, problems: 2, tasks: 3 });
    expect(recorded.content_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes back the xlsx ledger the export writes, title row and date cells included (dry run)', async () => {
    const exported = await t
      .http()
      .get(`/api/v1/reports/ledger?orgId=${general1.id}`)
      .auth(supervisor.token, { type: 'bearer' })
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const res = await upload(
      supervisor,
      exported.body as Buffer,
      { raisedByOrgId: county.id, dryRun: 'true' },
      'ledger.xlsx',
    );
    expect(res.body).toMatchObject({ dryRun: true });
    expect(res.status).toBe(200);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM tasks t JOIN orgs o ON o.id = t.responsible_org_id
        WHERE o.path <@ (SELECT path FROM orgs WHERE id = $1)`,
      [general1.id],
    );
    expect(res.body.tasks).toBe(n);
  });

  it('takes back the ledger the export writes (dry run)', async () => {
    const exported = await t
      .http()
      .get(`/api/v1/reports/ledger?orgId=${general1.id}&format=csv`)
      .auth(supervisor.token, { type: 'bearer' })
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const res = await upload(
      supervisor,
      exported.body as Buffer,
      { raisedByOrgId: county.id, dryRun: 'true' },
      'ledger.csv',
    );
    expect(res.body).toMatchObject({ dryRun: true });
    expect(res.status).toBe(200);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM tasks t JOIN orgs o ON o.id = t.responsible_org_id
        WHERE o.path <@ (SELECT path FROM orgs WHERE id = $1)`,
      [general1.id],
    );
    expect(res.body.tasks).toBe(n);
  });
});
