import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  createPerson,
  describeInBrowser,
  ensureWebBuilt,
  launchChromium,
  newContext,
  screenshot,
  signInThroughPage,
} from './browser';

type Person = { id: string; username: string; token: string; name: string };

const PASSWORD = 'a-long-password-for-the-browser';
const STEP = 120_000;

/** A ladder in hours, so that moving the test clock walks it (as in engine.e2e-spec.ts). */
const HOURLY_POLICY = {
  remindBefore: ['PT2H', 'PT1H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT2H', notify: ['secretary', 'superior', 'leader'] },
    { level: 4, name: '问责', after: 'PT3H', notify: ['discipline', 'secretary'] },
  ],
};

const PROBLEM = '第一支部、第二支部“三会一课”落实不到位';
const MEASURE_1 = '制定“三会一课”年度计划并逐月落实，建立会议记录台账';
const MEASURE_2 = '补齐第二支部10月份组织生活会会议记录，并通报整改情况';
const EVIDENCE = {
  name: '支部委员会会议记录.txt',
  mimeType: 'text/plain',
  buffer: Buffer.from(
    '2026年11月3日 第一支部支部委员会会议记录：研究“三会一课”年度计划。\n',
    'utf8',
  ),
};

describeInBrowser('the web workspace in Chromium: the three journeys of its users', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let browser: Browser;
  let base: string;
  const contexts: { context: BrowserContext; foreign: string[]; pageErrors: string[] }[] = [];

  let county: { id: string };
  let town: { id: string };
  let street: { id: string };
  let branch1: { id: string };
  let branch2: { id: string };
  let secretary: Person; // 县委书记: approves closures (销号)
  let supervisor: Person; // 县委督查员: raises and verifies
  let leader: Person; // 城关镇党委副书记: leader in charge
  let responsible: Person; // 第一支部党员: the responsible person of measure 1
  let responsible2: Person; // 第二支部党员: responsible for measure 2, which runs late
  let problemId: string;
  let task1: string;
  let task2: string;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  const person = (
    admin: string,
    name: string,
    username: string,
    roles: { orgId: string; role: string }[],
  ): Promise<Person> => createPerson(t, api, admin, { name, username, password: PASSWORD }, roles);

  /** A problem with one measure, through the API (the background of the dashboard). */
  async function seedProblem(
    by: Person,
    body: { title: string; category: string; orgId: string },
    measure: { measure: string; responsibleUserId: string; dueDate: string },
  ): Promise<{ problemId: string; taskId: string }> {
    const res = await as(by).post('/api/v1/problems', {
      ...body,
      description: '督查发现',
      severity: 'general',
      source: 'quarterly_check',
      raisedByOrgId: county.id,
      campaign: '2026年第四季度党建督查',
      tasks: [{ ...measure, responsibleOrgId: body.orgId, mode: 'deadline' }],
    });
    expect(res.status).toBe(201);
    return { problemId: res.body.id, taskId: res.body.tasks[0].id };
  }

  /** Signs a person in through the login page, in a browser context of their own. */
  async function signIn(p: Person, size?: { width: number; height: number }): Promise<Page> {
    const c = await newContext(browser, base, size);
    contexts.push(c);
    const page = await signInThroughPage(await c.context.newPage(), base, p, PASSWORD);
    await page.getByRole('heading', { name: '待办', level: 1 }).waitFor();
    return page;
  }

  const task = async (id: string) => (await as(supervisor).get(`/api/v1/tasks/${id}`)).body;

  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    api = new ApiClient(t);
    engine = new EngineDriver(t);

    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    town = await api.createOrg(admin, {
      name: '城关镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    street = await api.createOrg(admin, {
      name: '东关街道党委',
      kind: 'committee',
      parentId: county.id,
    });
    branch1 = await api.createOrg(admin, {
      name: '城关镇第一党支部',
      kind: 'branch',
      parentId: town.id,
    });
    branch2 = await api.createOrg(admin, {
      name: '城关镇第二党支部',
      kind: 'branch',
      parentId: town.id,
    });
    const branch3 = await api.createOrg(admin, {
      name: '东关社区党支部',
      kind: 'branch',
      parentId: street.id,
    });
    secretary = await person(admin, '王建国', 'wang.jianguo', [
      { orgId: county.id, role: 'secretary' },
    ]);
    supervisor = await person(admin, '张敏', 'zhang.min', [
      { orgId: county.id, role: 'supervisor' },
    ]);
    await person(admin, '周正', 'zhou.zheng', [{ orgId: county.id, role: 'discipline' }]);
    await person(admin, '刘洋', 'liu.yang', [{ orgId: town.id, role: 'secretary' }]);
    leader = await person(admin, '陈静', 'chen.jing', [{ orgId: town.id, role: 'deputy' }]);
    await person(admin, '赵立新', 'zhao.lixin', [{ orgId: branch1.id, role: 'secretary' }]);
    responsible = await person(admin, '李红', 'li.hong', [{ orgId: branch1.id, role: 'member' }]);
    responsible2 = await person(admin, '孙强', 'sun.qiang', [
      { orgId: branch2.id, role: 'member' },
    ]);
    const responsible3 = await person(admin, '吴芳', 'wu.fang', [
      { orgId: branch3.id, role: 'secretary' },
    ]);
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY)
      .expect(200);

    // The background: a measure already late by a check (yellow), one in progress elsewhere,
    // and a problem that came back after being closed (负面清单).
    const lagging = await seedProblem(
      supervisor,
      { title: '党员活动室被挪作他用', category: 'facilities_and_funding', orgId: branch1.id },
      { measure: '恢复党员活动室功能', responsibleUserId: responsible.id, dueDate: '2026-12-15' },
    );
    await as(responsible).post(`/api/v1/tasks/${lagging.taskId}/accept`).expect(200);
    await as(supervisor)
      .post(`/api/v1/tasks/${lagging.taskId}/checks`, { result: 'lagging', note: '仍堆放杂物' })
      .expect(200);
    const first = await seedProblem(
      supervisor,
      { title: '党员教育管理不规范', category: 'member_education', orgId: branch3.id },
      {
        measure: '建立党员积分管理台账',
        responsibleUserId: responsible3.id,
        dueDate: '2026-11-20',
      },
    );
    await as(responsible3).post(`/api/v1/tasks/${first.taskId}/accept`).expect(200);
    await as(responsible3)
      .post(`/api/v1/tasks/${first.taskId}/submit`, { summary: '台账已建立' })
      .expect(200);
    await as(supervisor).post(`/api/v1/tasks/${first.taskId}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`/api/v1/tasks/${first.taskId}/close`).expect(200);
    const again = await seedProblem(
      supervisor,
      { title: '党员教育管理再次出现不规范', category: 'member_education', orgId: branch3.id },
      {
        measure: '落实党员积分管理并按月公示',
        responsibleUserId: responsible3.id,
        dueDate: '2026-12-20',
      },
    );
    await as(responsible3).post(`/api/v1/tasks/${again.taskId}/accept`).expect(200);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way

    browser = await launchChromium();
  }, STEP);

  afterAll(async () => {
    for (const c of contexts) await c.context.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    // Nothing may load from outside this server, and no page may throw.
    for (const c of contexts) {
      expect(c.foreign).toEqual([]);
      expect(c.pageErrors).toEqual([]);
    }
  });

  it('serves the workspace at / with the SPA fallback, and leaves the API paths alone', async () => {
    const page = await t.http().get('/dashboard?orgId=x').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toContain('<div id="root">');
    await t.http().get('/assets/no-such-file.js').expect(404);
    const api404 = await t.http().get('/api/v1/no-such-thing').expect(404);
    expect(api404.headers['content-type']).toMatch(/json/);
    await t.http().get('/health').expect(200);
  });

  it(
    '(a) a committee supervisor raises a problem with two measures in one form',
    async () => {
      const page = await signIn(supervisor);
      await expect(page.getByTestId('current-roles').textContent()).resolves.toContain(
        '某县委·督查员',
      );

      await page.getByRole('link', { name: '立项交办' }).click();
      await page.getByRole('heading', { name: '立项交办', level: 1 }).waitFor();
      await page.getByLabel('立项党组织').selectOption(county.id);
      await page.getByLabel('问题所在组织').selectOption(town.id);
      await page.getByLabel('问题标题').fill(PROBLEM);
      await page
        .getByLabel('问题描述')
        .fill('2026年第四季度督查发现，两个支部10月份支部党员大会均无会议记录。');
      await page.getByLabel('问题分类').selectOption('organisational_life');
      await page.getByLabel('问题来源').selectOption('quarterly_check');
      await page.getByLabel('批次（可不填）').fill('2026年第四季度党建督查');

      const m1 = page.locator('fieldset[data-measure="1"]');
      await m1.getByLabel('整改措施').fill(MEASURE_1);
      await m1.getByLabel('责任单位').selectOption(branch1.id);
      await m1.getByLabel('责任人').selectOption(responsible.id);
      await m1.getByLabel('分管领导').selectOption(leader.id);
      await m1.getByLabel('完成期限').fill('2026-12-31');
      await m1.getByText('周四').waitFor(); // the weekday of the chosen deadline is shown

      await page.getByRole('button', { name: '＋ 增加一项措施' }).click();
      const m2 = page.locator('fieldset[data-measure="2"]');
      await m2.getByLabel('整改措施').fill(MEASURE_2);
      await m2.getByLabel('责任单位').selectOption(branch2.id);
      await m2.getByLabel('责任人').selectOption(responsible2.id);
      await m2.getByLabel('分管领导').selectOption(leader.id);
      // A deadline before today (by the service's clock, 2026-11-02) is refused before sending.
      await m2.getByLabel('完成期限').fill('2026-10-30');
      await page.getByRole('button', { name: '立项并交办' }).click();
      await page.getByText('第2项措施的完成期限不能早于今天（2026-11-02）').waitFor();
      await m2.getByLabel('完成期限').fill('2026-11-06');

      await screenshot(page, 'raise-problem');
      await page.getByRole('button', { name: '立项并交办' }).click();
      await page.getByRole('heading', { name: PROBLEM, level: 1 }).waitFor();
      problemId = page.url().split('/problems/')[1];
      const rows = page.locator('#measures tbody tr');
      await expect(rows.count()).resolves.toBe(2);
      await rows.filter({ hasText: MEASURE_1 }).getByText('李红').waitFor();
      await rows.filter({ hasText: MEASURE_2 }).getByText('孙强').waitFor();

      const detail = (await as(supervisor).get(`/api/v1/problems/${problemId}`).expect(200)).body;
      expect(detail.tasks).toHaveLength(2);
      task1 = detail.tasks.find((x: { measure: string }) => x.measure === MEASURE_1).id;
      task2 = detail.tasks.find((x: { measure: string }) => x.measure === MEASURE_2).id;
      expect(await task(task1)).toMatchObject({ state: 'assigned', leaderUserId: leader.id });
    },
    STEP,
  );

  it(
    '(b) the responsible person accepts, reports progress with an evidence file and submits',
    async () => {
      const page = await signIn(responsible);
      const toAccept = page.locator('#accept tr', { hasText: MEASURE_1 });
      await toAccept.getByText('绿灯').waitFor();
      await toAccept.getByText('2026/12/31').waitFor();
      await screenshot(page, 'my-work');

      await toAccept.getByRole('button', { name: '签收' }).click();
      await page.getByRole('status').getByText('已签收').waitFor();
      const owed = page.locator('#progress tr', { hasText: MEASURE_1 });
      await owed.getByRole('link', { name: '反馈进展' }).click();

      await page.getByRole('heading', { name: MEASURE_1, level: 1 }).waitFor();
      const progress = page.locator('form#progress');
      await progress.getByLabel('进展情况').fill('已召开支委会研究整改方案，制定年度计划。');
      await progress.getByLabel('完成比例（%）').fill('60');
      await progress.locator('input[type=file]').setInputFiles(EVIDENCE);
      await progress.getByText(EVIDENCE.name).waitFor();
      await progress.getByRole('button', { name: '提交进展' }).click();
      await page.getByTestId('flash').getByText('进展已反馈').waitFor();
      const reported = page.locator('#timeline [data-event="progress_reported"]');
      await reported.getByText(EVIDENCE.name).waitFor();

      // The evidence comes back byte for byte (downloads need the token: fetched, then saved).
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        reported.getByRole('button', { name: '下载' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(EVIDENCE.name);
      expect(readFileSync(await download.path())).toEqual(EVIDENCE.buffer);

      const submit = page.locator('form#submit');
      await submit
        .getByLabel('整改完成情况')
        .fill('年度计划已制定，10月、11月会议均已召开并记录。');
      await submit.locator('input[type=file]').setInputFiles(EVIDENCE);
      await submit.getByText(EVIDENCE.name).waitFor();
      await submit.getByRole('button', { name: '提交验收' }).click();
      await page.getByTestId('flash').getByText('已申请销号').waitFor();
      await page.locator('.facts').getByText('待验收').waitFor();
      // Only the actions the API lists: nothing is left for the responsible person now.
      await page.getByText('您现在对此任务没有可办理的操作').waitFor();
      expect(await task(task1)).toMatchObject({ state: 'submitted' });
    },
    STEP,
  );

  it(
    '(c) the supervisor fails, then passes the verification; the secretary above approves the closure',
    async () => {
      const page = await signIn(supervisor);
      await page
        .locator('#verify tr', { hasText: MEASURE_1 })
        .getByRole('link', { name: '去验收' })
        .click();
      const verify = page.locator('form#verify');
      await verify.waitFor();

      // A return without its reason is refused, in Chinese, before anything is sent.
      await verify.getByRole('button', { name: '退回重改' }).click();
      await verify.getByRole('alert').getByText('退回重改须写明需要重改的内容').waitFor();
      await verify
        .getByLabel('验收意见（退回时必填）')
        .fill('会议记录缺少签到表，请补充后重新提交。');
      await verify.getByRole('button', { name: '退回重改' }).click();
      await page.getByTestId('flash').getByText('已退回重改').waitFor();
      await page.locator('.facts').getByText('整改中').waitFor();
      await page
        .locator('#timeline [data-event="verification_failed"]')
        .getByText('缺少签到表')
        .waitFor();

      // The responsible person redoes the work and submits again, in the browser.
      const doer = await signIn(responsible);
      await doer.goto(`${base}/tasks/${task1}#submit`);
      const resubmit = doer.locator('form#submit');
      await resubmit.getByLabel('整改完成情况').fill('已补充签到表。');
      await resubmit.locator('input[type=file]').setInputFiles(EVIDENCE);
      await resubmit.getByText(EVIDENCE.name).waitFor();
      await resubmit.getByRole('button', { name: '提交验收' }).click();
      await doer.getByTestId('flash').getByText('已申请销号').waitFor();

      await page.reload();
      await page.locator('form#verify').getByRole('button', { name: '验收通过' }).click();
      await page.getByTestId('flash').getByText('验收通过').waitFor();
      await page.locator('.facts').getByText('待销号').waitFor();
      // The verifier may not also approve the closure (four eyes): no such button for him.
      await expect(page.getByRole('button', { name: '批准销号' }).count()).resolves.toBe(0);

      const approver = await signIn(secretary);
      const row = approver.locator('#close tr', { hasText: MEASURE_1 });
      await row.getByRole('link', { name: '查看' }).click();
      await approver.locator('form#close').waitFor();
      await approver.locator('#timeline [data-event="verification_passed"]').waitFor();
      await screenshot(approver, 'task');
      await approver.locator('form#close').getByRole('button', { name: '批准销号' }).click();
      // Closing is final: it asks for a confirmation first.
      await approver.locator('form#close').getByRole('button', { name: '确认销号' }).click();
      await approver.getByTestId('flash').getByText('已销号').waitFor();
      await approver.locator('.facts').getByText('已销号').waitFor();
      expect(await task(task1)).toMatchObject({ state: 'closed' });
    },
    STEP,
  );

  it(
    '(d) an overdue measure shows red on the dashboard with its escalation level',
    async () => {
      // Measure 2 was due at the end of 2026-11-06 (Beijing); 1.5 hours later 催办 and 督办 have fired.
      t.clock.set('2026-11-06T17:30:00Z');
      await engine.sweep();
      await engine.sweep();
      expect(await task(task2)).toMatchObject({ light: 'red', escalationLevel: 2 });

      const page = await signIn(supervisor);
      await page.getByRole('link', { name: '督办看板' }).click();
      await page.getByRole('heading', { name: '督办看板 · 某县委' }).waitFor();
      await page.getByTestId('light-count-red').getByText('1', { exact: true }).waitFor();
      const level2 = page.getByTestId('overdue-level-2');
      await level2.getByText('2级 督办').waitFor();
      await level2.getByText('1 项').waitFor();
      const townRow = page.locator(`tr[data-org-id="${town.id}"]`);
      await townRow.getByTestId('child-red').getByText('1', { exact: true }).waitFor();
      await page.locator('#recurring').getByText('党员教育管理再次出现不规范').waitFor();
      await screenshot(page, 'dashboard');

      // Clicking a figure opens the list it counts.
      await page.getByTestId('light-count-red').click();
      await page.getByRole('heading', { name: /任务清单/ }).waitFor();
      expect(page.url()).toContain('light=red');
      const red = page.locator('table.tasks tbody tr');
      await red.filter({ hasText: MEASURE_2 }).waitFor();
      await expect(red.count()).resolves.toBe(1);
      await screenshot(page, 'tasks-red');
      await red.getByText('2级').waitFor();
      await red.getByRole('link', { name: MEASURE_2 }).click();
      await page.locator('#escalations').getByText('2级 督办').waitFor();
      await page.locator('#timeline [data-event="escalated"]').first().waitFor();
    },
    STEP,
  );

  it(
    'shows the escalation notice in the inbox with its read receipt, and the unread count drops',
    async () => {
      const page = await signIn(responsible2);
      const count = page.getByTestId('unread-count');
      // The count arrives after the page: wait for it rather than reading the first paint.
      // A locator, not a string predicate: the page's CSP forbids eval.
      await page
        .getByTestId('unread-count')
        .filter({ hasText: /^\s*[1-9]\d*\s*$/ })
        .waitFor();
      const before = Number(await count.textContent());
      expect(before).toBeGreaterThan(0);
      await page.getByTestId('inbox-link').click();
      const notice = page.locator('li[data-kind="escalation"]').first();
      await notice.getByText('未读').waitFor();
      await notice.getByRole('button', { name: /标为已读|确认已阅/ }).click();
      await page.locator('li[data-kind="escalation"]').first().getByText('已阅于').waitFor();
      await page
        .getByTestId('unread-count')
        .getByText(String(before - 1), { exact: true })
        .waitFor();

      await page.getByRole('link', { name: '通知设置' }).click();
      await page.getByLabel('每日汇总一封邮件（督办及以上的紧急通知仍即时发送）').check();
      await page.getByRole('button', { name: '保存设置' }).click();
      await page.getByRole('status').getByText('已保存').waitFor();
      const settings = await as(responsible2).get('/api/v1/me/notification-settings').expect(200);
      expect(settings.body.digest).toBe(true);
    },
    STEP,
  );

  it(
    'lets the committee secretary edit the ladder, drawn as a timeline',
    async () => {
      const page = await signIn(secretary);
      await page.getByRole('link', { name: '升级规则' }).click();
      const ladder = page.getByRole('list', { name: '升级阶梯时间轴' });
      await ladder.getByText('4级 问责').waitFor();
      await ladder.getByText('启动问责').waitFor();
      // The page says which tasks the rule governs, and that tasks assigned from above do not
      // follow it (they follow their raising org's rule).
      await page
        .getByTestId('policy-source')
        .getByText(/立项的问题/)
        .waitFor();
      await page
        .getByTestId('policy-not-governing')
        .getByText(/不适用此处规则/)
        .waitFor();
      // Offsets in one unit, as the server demands: a mixed ladder is refused before sending.
      const unit = page.locator('fieldset[data-step="2"] select[aria-label$="单位"]');
      const before = await unit.inputValue();
      await unit.selectOption('workingDays');
      await page.getByRole('button', { name: '保存规则' }).click();
      await page
        .getByRole('alert')
        .getByText('提醒和升级各自须使用同一种时间单位', { exact: false })
        .waitFor();
      await unit.selectOption(before);
      await page.locator('fieldset[data-step="3"]').getByLabel('名称').fill('通报约谈');
      await page.getByRole('button', { name: '保存规则' }).click();
      await page.getByRole('status').getByText('已保存').waitFor();
      await ladder.getByText('3级 通报约谈').waitFor();
      await screenshot(page, 'policy');
      const policy = await as(secretary)
        .get(`/api/v1/orgs/${county.id}/escalation-policy`)
        .expect(200);
      expect(policy.body.steps[2]).toMatchObject({ level: 3, name: '通报约谈', after: 'PT2H' });
    },
    STEP,
  );

  it(
    'imports a problem list from a ledger file, with the per-row error report',
    async () => {
      const header =
        '问题标题,问题分类,严重程度,问题来源,问题所在单位,整改措施,责任单位,责任人,整改时限';
      const good =
        '第一支部主题党日流于形式,组织生活、“三会一课”、民主集中制、制度落实,一般,季度督查,城关镇第一党支部,主题党日每月确定主题并记录,城关镇第一党支部,李红,2026-12-20';
      const bad =
        '第二支部党费收缴不及时,党员教育管理,一般,季度督查,城关镇第二党支部,按月收缴党费,城关镇第二党支部,查无此人,2026-12-20';
      const csv = (lines: string[]) => ({
        name: '问题清单.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8'),
      });
      const problems = async () =>
        (await as(supervisor).get('/api/v1/problems?pageSize=1').expect(200)).body.total as number;
      const before = await problems();

      const page = await signIn(supervisor);
      await page.getByRole('link', { name: '立项交办' }).click();
      const panel = page.getByRole('region', { name: '从台账导入问题清单' });
      await panel.getByLabel('台账文件').setInputFiles(csv([header, good, bad]));
      await panel.getByRole('button', { name: '导入', exact: true }).click();
      const report = panel.getByRole('table', { name: '逐行错误' });
      const row3 = report.locator('tbody tr', { hasText: '责任人' });
      await row3.locator('td').first().getByText('3', { exact: true }).waitFor();
      await row3.getByText('查无此人').waitFor();
      // All or nothing: the good row was not imported either.
      expect(await problems()).toBe(before);

      await panel.getByLabel('台账文件').setInputFiles(csv([header, good]));
      await panel.getByRole('button', { name: '检查（不导入）' }).click();
      await panel.getByRole('status').getByText('检查通过，可以导入：1 个问题、1 项措施').waitFor();
      await panel.getByRole('button', { name: '导入', exact: true }).click();
      await panel.getByRole('status').getByText('已导入：1 个问题、1 项措施').waitFor();
      expect(await problems()).toBe(before + 1);
    },
    STEP,
  );

  it(
    'exports the ledger of the list on screen',
    async () => {
      const page = await signIn(supervisor);
      await page.goto(`${base}/tasks?orgId=${town.id}&light=red`);
      await page.locator('table.tasks tbody tr', { hasText: MEASURE_2 }).waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
      const text = readFileSync(await download.path(), 'utf8');
      expect(text).toContain(MEASURE_2);
      expect(text).not.toContain(MEASURE_1); // closed, not red: the filter on screen applies
    },
    STEP,
  );

  it(
    'is usable at phone width',
    async () => {
      const page = await signIn(responsible, { width: 390, height: 844 });
      await page
        .locator('#progress tr', { hasText: '恢复党员活动室功能' })
        .getByText('黄灯')
        .waitFor();
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'my-work-phone');
    },
    STEP,
  );
});
