import ExcelJS from 'exceljs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEDGER_COLUMNS, LEDGER_HEADERS, parseCsv } from '#duban/rectification';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { binaryParser, readXlsx, readXlsxSheet } from '../support/ledger-files';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { startTestApp, TestApp } from '../support/test-app';

type Person = NamedPerson;

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A ladder in hours, so the test walks it by moving the clock. */
const HOURLY_POLICY = {
  remindBefore: ['PT2H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT2H', notify: ['secretary', 'superior', 'leader'] },
    { level: 4, name: '问责', after: 'PT3H', notify: ['discipline', 'secretary'] },
  ],
};

const CAMPAIGN = '2026年第四季度党建督查';

/**
 * 某某县委 (committee)
 * ├── 第一党总支 ── 第一支部 (A1), 第二支部 (A2)
 * └── 第二党总支 ── 第一支部 (B1)
 *
 * The clock starts at 2026-11-02 09:00 Beijing time (2026Q4). By the time the reports are
 * read (3.5 h later): T1 (A1) is overdue at 通报 (level 3); T2 (A1) was closed before its
 * deadline; T3 (A2) is not due yet, T3b (A2, same problem) is standing (长期坚持); T4 (B1)
 * reached 督办 (level 2), then was closed late; T5 (A1) belongs to a problem that came back
 * after T2's was closed (屡改屡犯).
 */
describe('reports: the ledger, the quarter summary and the circulated notice', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let county: { id: string };
  let general1: { id: string };
  let general2: { id: string };
  let a1: { id: string };
  let a2: { id: string };
  let b1: { id: string };
  let secretary: Person;
  let deputy: Person;
  let supervisor: Person;
  let a1Member: Person;
  let a2Secretary: Person;
  let b1Member: Person;
  let leader: Person;
  let sweptAt: string;
  const ids: Record<'t1' | 't2' | 't3' | 't3b' | 't4' | 't5', string> = {
    t1: '',
    t2: '',
    t3: '',
    t3b: '',
    t4: '',
    t5: '',
  };

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });
  const download = (p: Person, url: string) => as(p).get(url).buffer(true).parse(binaryParser);

  async function raise(
    title: string,
    category: string,
    orgId: string,
    tasks: { measure: string; org: string; person: Person; dueInMs: number | null }[],
  ): Promise<string[]> {
    const res = await as(supervisor).post('/api/v1/problems', {
      title,
      description: `${title}：督查中发现。`,
      category,
      severity: 'serious',
      source: 'quarterly_check',
      orgId,
      raisedByOrgId: county.id,
      campaign: CAMPAIGN,
      tasks: tasks.map((x) => ({
        measure: x.measure,
        responsibleOrgId: x.org,
        responsibleUserId: x.person.id,
        leaderUserId: leader.id,
        ...(x.dueInMs === null
          ? { mode: 'standing' }
          : {
              mode: 'deadline',
              dueAt: new Date(t.clock.now().getTime() + x.dueInMs).toISOString(),
            }),
      })),
    });
    expect(res.status).toBe(201);
    return res.body.tasks.map((x: { id: string }) => x.id);
  }

  async function closeTask(taskId: string, doer: Person): Promise<void> {
    const url = `/api/v1/tasks/${taskId}`;
    await as(doer).post(`${url}/accept`).expect(200);
    await as(doer).post(`${url}/submit`, { summary: '整改完成' }).expect(200);
    await as(supervisor).post(`${url}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`${url}/close`, { comment: '同意销号' }).expect(200);
  }

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    general1 = await api.createOrg(admin, {
      name: '第一党总支',
      kind: 'general_branch',
      parentId: county.id,
    });
    general2 = await api.createOrg(admin, {
      name: '第二党总支',
      kind: 'general_branch',
      parentId: county.id,
    });
    a1 = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: general1.id });
    a2 = await api.createOrg(admin, { name: '第二支部', kind: 'branch', parentId: general1.id });
    b1 = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: general2.id });
    secretary = await createNamedPerson(
      t,
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'county-secretary',
      '县委书记',
    );
    deputy = await createNamedPerson(
      t,
      admin,
      [{ orgId: county.id, role: 'deputy' }],
      'county-deputy',
      '县委副书记',
    );
    supervisor = await createNamedPerson(
      t,
      admin,
      [{ orgId: county.id, role: 'supervisor' }],
      'supervisor',
      '督查员',
    );
    a1Member = await createNamedPerson(
      t,
      admin,
      [{ orgId: a1.id, role: 'member' }],
      'zhangsan',
      '张三',
    );
    a2Secretary = await createNamedPerson(
      t,
      admin,
      [{ orgId: a2.id, role: 'secretary' }],
      'lisi',
      '李四',
    );
    b1Member = await createNamedPerson(
      t,
      admin,
      [{ orgId: b1.id, role: 'member' }],
      'wangwu',
      '王五',
    );
    leader = await createNamedPerson(
      t,
      admin,
      [{ orgId: county.id, role: 'member' }],
      'zhao',
      '赵分管',
    );
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY)
      .expect(200);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way

    [ids.t1] = await raise('第一支部“三会一课”不规范', 'organisational_life', a1.id, [
      { measure: '补齐会议记录', org: a1.id, person: a1Member, dueInMs: HOUR },
    ]);
    [ids.t2] = await raise('第一支部班子成员作风不实', 'work_style', a1.id, [
      { measure: '开展专题组织生活会', org: a1.id, person: a1Member, dueInMs: 10 * DAY },
    ]);
    [ids.t3, ids.t3b] = await raise('第二支部党员教育管理薄弱', 'member_education', a2.id, [
      { measure: '开展党员集中轮训', org: a2.id, person: a2Secretary, dueInMs: 2 * DAY },
      { measure: '建立党员教育长效机制', org: a2.id, person: a2Secretary, dueInMs: null },
    ]);
    [ids.t4] = await raise('第二党总支第一支部阵地不达标', 'facilities_and_funding', b1.id, [
      { measure: '恢复党员活动室', org: b1.id, person: b1Member, dueInMs: 2 * HOUR },
    ]);
    await closeTask(ids.t2, a1Member); // on time, days early; its problem is closed
    // The same org and category again, after the first was closed: 屡改屡犯.
    [ids.t5] = await raise('第一支部作风问题反弹', 'work_style', a1.id, [
      { measure: '支委会每月专题研究', org: a1.id, person: a1Member, dueInMs: 30 * DAY },
    ]);
    t.clock.advance(3.5 * HOUR);
    sweptAt = t.clock.now().toISOString();
    await engine.sweep();
    await closeTask(ids.t4, b1Member); // late: due 2 h after the start, closed at 3.5 h
  });
  afterAll(() => t.close());

  describe('GET /reports/ledger', () => {
    const MEASURES = [
      '补齐会议记录',
      '开展专题组织生活会',
      '开展党员集中轮训',
      '建立党员教育长效机制',
      '恢复党员活动室',
      '支委会每月专题研究',
    ];

    it('streams an xlsx ledger that exceljs reads back, one row per measure, zh-CN headers', async () => {
      const res = await download(supervisor, `/api/v1/reports/ledger?orgId=${county.id}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      expect(res.headers['content-disposition']).toContain(
        `filename*=UTF-8''${encodeURIComponent('台账-某某县委-2026-11-02.xlsx')}`,
      );
      const all = await readXlsx(res.body as Buffer);
      // Row 1 is the title naming the org and the date; the header row is row 2.
      expect(all[0][0]).toBe('某某县委整改台账（2026-11-02导出）');
      const rows = all.slice(1);
      expect(rows[0]).toEqual(LEDGER_HEADERS);
      expect(
        rows
          .slice(1)
          .map((r) => r[9])
          .sort(),
      ).toEqual([...MEASURES].sort());
      const byMeasure = new Map(rows.slice(1).map((r) => [r[9], r]));
      expect(byMeasure.get('补齐会议记录')).toEqual([
        expect.any(String),
        '第一支部“三会一课”不规范',
        '第一支部“三会一课”不规范：督查中发现。',
        '组织生活、“三会一课”、民主集中制、制度落实',
        '严重',
        '季度督查',
        CAMPAIGN,
        // 第一支部 is also the name of an org under 第二党总支: written with its parent.
        '第一党总支/第一支部',
        '某某县委',
        '补齐会议记录',
        '限期整改',
        '第一党总支/第一支部',
        '张三',
        '赵分管',
        // An exact deadline (dueAt) keeps its local wall-clock time.
        '2026-11-02 10:00',
        '已交办',
        '红',
        '3',
        '通报',
        '',
        // 负面清单: the unit is on the list now (通报 twice in a year, or a recurrence).
        '在列',
      ]);
      expect(byMeasure.get('开展专题组织生活会')).toMatchObject({
        14: '2026-11-12 09:00',
        15: '已销号',
        16: '绿',
        17: '',
        19: '2026-11-02',
      });
      expect(byMeasure.get('建立党员教育长效机制')).toMatchObject({
        10: '长期坚持',
        11: '第二支部',
        12: '李四',
        14: '',
        15: '已交办',
      });
      expect(byMeasure.get('开展党员集中轮训')).toMatchObject({
        14: '2026-11-04 09:00',
        16: '蓝',
      });
      expect(byMeasure.get('恢复党员活动室')).toMatchObject({
        11: '第二党总支/第一支部',
        17: '2',
        18: '督办',
      });
      // 序号 runs 1..n, and the measures of one problem stay together.
      expect(rows.slice(1).map((r) => r[0])).toEqual(['1', '2', '3', '4', '5', '6']);
      const titles = rows.slice(1).map((r) => r[1]);
      const first = titles.indexOf('第二支部党员教育管理薄弱');
      expect(titles[first + 1]).toBe('第二支部党员教育管理薄弱');
    });

    it('streams a UTF-8 CSV with a byte order mark, the same rows, and filters like the task list', async () => {
      const res = await download(
        supervisor,
        `/api/v1/reports/ledger?orgId=${county.id}&format=csv`,
      );
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toContain(
        `filename*=UTF-8''${encodeURIComponent('台账-某某县委-2026-11-02.csv')}`,
      );
      const bytes = res.body as Buffer;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text.slice(1).startsWith(`${LEDGER_HEADERS.join(',')}\r\n`)).toBe(true);
      expect(text.endsWith('\r\n')).toBe(true);
      const records = [...parseCsv(text)].map((r) => r.cells);
      expect(records[0]).toEqual(LEDGER_HEADERS);
      expect(
        records
          .slice(1)
          .map((r) => r[9])
          .sort(),
      ).toEqual([...MEASURES].sort());
      const xlsx = await readXlsx(
        (await download(supervisor, `/api/v1/reports/ledger?orgId=${county.id}`)).body as Buffer,
      );
      // The same rows as the workbook, below its title row; dates written as text.
      expect(records).toEqual(xlsx.slice(1));

      const measures = async (query: string) => {
        const r = await download(supervisor, `/api/v1/reports/ledger?format=csv&${query}`);
        expect(r.status).toBe(200);
        return [...parseCsv(r.body.toString('utf8'))]
          .slice(1)
          .map((x) => x.cells[9])
          .sort();
      };
      expect(await measures(`orgId=${county.id}&light=red`)).toEqual(['补齐会议记录']);
      expect(await measures(`orgId=${county.id}&overdue=true`)).toEqual(['补齐会议记录']);
      expect(await measures(`state=closed&campaign=${encodeURIComponent(CAMPAIGN)}`)).toEqual(
        ['开展专题组织生活会', '恢复党员活动室'].sort(),
      );
      expect(await measures(`orgId=${general1.id}&category=member_education`)).toEqual(
        ['开展党员集中轮训', '建立党员教育长效机制'].sort(),
      );
    });

    it('writes real date and number cells, a title row and an A4 landscape print setup', async () => {
      const res = await download(supervisor, `/api/v1/reports/ledger?orgId=${county.id}`);
      const bytes = res.body as Buffer;
      const sheet = await readXlsxSheet(bytes);
      const col = (key: string) => LEDGER_COLUMNS.findIndex((c) => c.key === key) + 1;
      expect(sheet.getCell(1, 1).value).toBe('某某县委整改台账（2026-11-02导出）');
      expect(sheet.getRow(2).getCell(1).value).toBe('序号');
      const rowOf = (measure: string) => {
        for (let n = 3; n <= sheet.rowCount; n++) {
          if (sheet.getRow(n).getCell(col('measure')).value === measure) return sheet.getRow(n);
        }
        throw new Error(`no row for ${measure}`);
      };
      const overdue = rowOf('补齐会议记录');
      expect(typeof overdue.getCell(col('seq')).value).toBe('number');
      // 10:00 Beijing time as the cell's wall-clock value (Excel has no time zones).
      const due = overdue.getCell(col('dueDate'));
      expect(due.value).toEqual(new Date('2026-11-02T10:00:00.000Z'));
      expect(due.type).toBe(ExcelJS.ValueType.Date);
      expect(due.numFmt).toBe('yyyy-mm-dd hh:mm');
      expect(overdue.getCell(col('escalation')).value).toBe(3);
      expect(overdue.getCell(col('escalationName')).value).toBe('通报');
      const closed = rowOf('开展专题组织生活会').getCell(col('closedOn'));
      expect(closed.value).toEqual(new Date('2026-11-02T00:00:00.000Z'));
      expect(closed.numFmt).toBe('yyyy-mm-dd');
      expect(sheet.pageSetup).toMatchObject({
        paperSize: 9,
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '2:2',
      });
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      expect(sheet.autoFilter).toBe('A2:U2');

      // LibreOffice, where installed (Debian's package in CI), opens it and sees the same dates.
      const soffice = ['soffice', 'libreoffice'].find(
        (bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0,
      );
      if (!soffice) {
        console.warn(
          'SKIPPED: LibreOffice (soffice) is not installed; the headless check did not run',
        );
        return;
      }
      const dir = mkdtempSync(join(tmpdir(), 'duban-ledger-'));
      try {
        writeFileSync(join(dir, 'ledger.xlsx'), bytes);
        const run = spawnSync(
          soffice,
          [
            '--headless',
            `-env:UserInstallation=file://${dir}/profile`,
            '--convert-to',
            'csv:Text - txt - csv (StarCalc):44,34,76',
            '--outdir',
            dir,
            join(dir, 'ledger.xlsx'),
          ],
          { encoding: 'utf8', timeout: 120_000 },
        );
        expect(run.status).toBe(0);
        const csv = readFileSync(join(dir, 'ledger.csv'), 'utf8');
        expect(csv).toContain('2026-11-02 10:00');
        expect(csv).toContain('某某县委整改台账');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('gives a branch secretary only their own rows, and 404 for an org outside their scope', async () => {
      const own = await download(a2Secretary, '/api/v1/reports/ledger?format=csv');
      expect(own.status).toBe(200);
      const rows = [...parseCsv(own.body.toString('utf8'))].map((r) => r.cells);
      expect(
        rows
          .slice(1)
          .map((r) => r[9])
          .sort(),
      ).toEqual(['开展党员集中轮训', '建立党员教育长效机制'].sort());
      const mine = await download(a2Secretary, `/api/v1/reports/ledger?orgId=${a2.id}`);
      expect(mine.headers['content-disposition']).toContain(
        encodeURIComponent('台账-第二支部-2026-11-02.xlsx'),
      );
      expect(
        (await readXlsx(mine.body as Buffer))
          .slice(2)
          .map((r) => r[9])
          .sort(),
      ).toEqual(['开展党员集中轮训', '建立党员教育长效机制'].sort());
      for (const org of [county.id, general1.id, a1.id]) {
        const res = await as(a2Secretary).get(`/api/v1/reports/ledger?orgId=${org}`);
        expect(res.status).toBe(404);
        expect(res.body.message).toMatch(/不在你的范围内/);
      }
      const bad = await as(a2Secretary).get('/api/v1/reports/ledger?format=pdf');
      expect(bad.status).toBe(400);
      expect(bad.body.message).toBe('格式须为以下之一：xlsx、csv');
    });
  });

  describe('GET /reports/summary', () => {
    it('counts the quarter for the subtree and for each child org', async () => {
      const res = await as(deputy)
        .get(`/api/v1/reports/summary?orgId=${county.id}&quarter=2026Q4`)
        .expect(200);
      const s = res.body;
      expect(s).toMatchObject({ orgId: county.id, orgName: '某某县委', quarter: '2026Q4' });
      expect(s.from).toBe('2026-09-30T16:00:00.000Z');
      expect(s.to).toBe('2026-12-31T15:59:59.999Z');
      expect(s.totals).toMatchObject({
        total: 6,
        byState: { assigned: 4, in_progress: 0, submitted: 0, verified: 0, closed: 2 },
        byLight: { red: 1, yellow: 0, blue: 1, green: 4 },
        dueInQuarter: 3, // T1 and T4 (deadline passed) and T2 (closed already)
        closedOnTime: 1,
        onTimeRate: 0.3333,
        overdue: 1,
        escalations: [
          { level: 2, tasks: 1 },
          { level: 3, tasks: 1 },
        ],
        recurringProblems: 1,
      });
      expect(s.own).toMatchObject({ orgId: county.id, total: 0, onTimeRate: null });
      expect(s.children.map((c: { orgName: string }) => c.orgName)).toEqual([
        '第一党总支',
        '第二党总支',
      ]);
      expect(s.children[0]).toMatchObject({
        orgId: general1.id,
        total: 5,
        byState: { assigned: 4, closed: 1 },
        byLight: { red: 1, yellow: 0, blue: 1, green: 3 },
        dueInQuarter: 2,
        closedOnTime: 1,
        onTimeRate: 0.5,
        overdue: 1,
        escalations: [{ level: 3, tasks: 1 }],
        recurringProblems: 1,
      });
      expect(s.children[1]).toMatchObject({
        orgId: general2.id,
        total: 1,
        byState: { assigned: 0, closed: 1 },
        dueInQuarter: 1,
        closedOnTime: 0,
        onTimeRate: 0,
        overdue: 0,
        escalations: [{ level: 2, tasks: 1 }],
        recurringProblems: 0,
      });
    });

    it('reports another quarter, refuses a malformed one, and stays in scope', async () => {
      const q3 = await as(secretary)
        .get(`/api/v1/reports/summary?orgId=${county.id}&quarter=2026Q3`)
        .expect(200);
      expect(q3.body.totals).toMatchObject({ total: 0, dueInQuarter: 0, onTimeRate: null });
      const bad = await as(secretary).get(
        `/api/v1/reports/summary?orgId=${county.id}&quarter=2026Q5`,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^季度须写作 YYYYQn/);
      expect((await as(a2Secretary).get(`/api/v1/reports/summary?orgId=${county.id}`)).status).toBe(
        404,
      );
      const own = await as(a2Secretary).get(`/api/v1/reports/summary?orgId=${a2.id}`).expect(200);
      expect(own.body).toMatchObject({ quarter: '2026Q4', children: [] });
      expect(own.body.totals).toMatchObject({ total: 2, byState: { assigned: 2 } });
    });
  });

  describe('GET /reports/circular', () => {
    it('names the measures that reached 通报 in the quarter, and the units least on time', async () => {
      const res = await as(secretary)
        .get(`/api/v1/reports/circular?orgId=${county.id}&quarter=2026Q4`)
        .expect(200);
      expect(res.body).toMatchObject({ quarter: '2026Q4', fromLevel: 3 });
      expect(res.body.entries).toEqual([
        expect.objectContaining({
          taskId: ids.t1,
          measure: '补齐会议记录',
          problemTitle: '第一支部“三会一课”不规范',
          orgId: a1.id,
          orgName: '第一支部',
          dueDate: '2026-11-02',
          level: 3,
          levelName: '通报',
          state: 'assigned',
          responsibleUserId: a1Member.id,
          responsibleName: '张三',
          leaderUserId: leader.id,
          leaderName: '赵分管',
        }),
      ]);
      // The sweep that found steps 1-3 due applied them at once.
      expect(res.body.entries[0].reachedAt).toBe(sweptAt);
      expect(res.body.worstOnTime).toEqual([
        {
          orgId: b1.id,
          orgName: '第一支部',
          dueInQuarter: 1,
          closedOnTime: 0,
          missed: 1,
          onTimeRate: 0,
        },
        {
          orgId: a1.id,
          orgName: '第一支部',
          dueInQuarter: 2,
          closedOnTime: 1,
          missed: 1,
          onTimeRate: 0.5,
        },
      ]);
      const q3 = await as(secretary)
        .get(`/api/v1/reports/circular?orgId=${county.id}&quarter=2026Q3`)
        .expect(200);
      expect(q3.body).toMatchObject({ entries: [], worstOnTime: [] });
      const sub = await as(secretary)
        .get(`/api/v1/reports/circular?orgId=${general2.id}`)
        .expect(200);
      expect(sub.body.entries).toEqual([]);
      expect((await as(a2Secretary).get(`/api/v1/reports/circular?orgId=${a1.id}`)).status).toBe(
        404,
      );
    });

    it('names a measure flagged 通报 without the ladder’s record, while it is open in the quarter', async () => {
      await t.db.query(`UPDATE tasks SET circulated = true, escalation_level = 3 WHERE id = $1`, [
        ids.t3,
      ]);
      const res = await as(secretary)
        .get(`/api/v1/reports/circular?orgId=${county.id}`)
        .expect(200);
      expect(res.body.entries.map((e: { taskId: string }) => e.taskId).sort()).toEqual(
        [ids.t1, ids.t3].sort(),
      );
      expect(res.body.entries.find((e: { taskId: string }) => e.taskId === ids.t3)).toMatchObject({
        level: 3,
        reachedAt: null,
        responsibleName: '李四',
      });
      await t.db.query(`UPDATE tasks SET circulated = false, escalation_level = 0 WHERE id = $1`, [
        ids.t3,
      ]);
    });
  });

  it('describes the reports in the OpenAPI document', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/reports/ledger',
        '/api/v1/reports/summary',
        '/api/v1/reports/circular',
        '/api/v1/problems/import',
      ]),
    );
    expect(
      doc.paths['/api/v1/reports/summary'].get.responses['200'].content['application/json'].schema,
    ).toEqual({ $ref: '#/components/schemas/QuarterSummaryResponse' });
  });
});
