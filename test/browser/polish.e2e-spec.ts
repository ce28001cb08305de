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

const HOURLY_POLICY = {
  remindBefore: ['PT1H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT2H', notify: ['secretary', 'superior', 'leader'] },
  ],
};

const EVIDENCE = Buffer.from('2026年11月支部委员会会议记录：已补齐签到表。\n', 'utf8');
const RETURN_REASON = '会议记录缺少签到表，请补充后重新提交。';

/**
 * What the browser run of issue 13 found, each fixed and checked here: names, no 404 calls,
 * org selects in tree order, the dashboard's per-level links, closing with evidence and a
 * confirmation, bulk closing, the returned mark, the category placeholder, why an action is
 * refused, the submit form's words, one unread count per page, the phone menu's scroll hint.
 */
describeInBrowser('the web workspace, polished: what the browser run found', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let browser: Browser;
  let base: string;
  const contexts: {
    context: BrowserContext;
    foreign: string[];
    pageErrors: string[];
    notFound: string[];
    unreadCalls: string[];
  }[] = [];

  let county: { id: string };
  let town: { id: string };
  let street: { id: string };
  let branch1: { id: string };
  let branch2: { id: string };
  let branch3: { id: string };
  let secretary: Person;
  let supervisor: Person;
  let conflicted: Person; // 县委督查员, also a member of 第一支部: stays out of its tasks
  let leader: Person;
  let responsible: Person;
  let responsible2: Person;

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

  async function measure(
    title: string,
    text: string,
    orgId: string,
    who: Person,
    dueAt: string,
  ): Promise<string> {
    const res = await as(supervisor).post('/api/v1/problems', {
      title,
      description: '督查发现',
      category: 'organisational_life',
      severity: 'general',
      source: 'quarterly_check',
      orgId,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure: text,
          responsibleOrgId: orgId,
          responsibleUserId: who.id,
          leaderUserId: leader.id,
          mode: 'deadline',
          dueAt,
        },
      ],
    });
    expect(res.status).toBe(201);
    return res.body.tasks[0].id;
  }

  async function evidence(by: Person): Promise<string> {
    const res = await t
      .http()
      .post('/api/v1/attachments')
      .auth(by.token, { type: 'bearer' })
      .attach('file', EVIDENCE, { filename: '签到表.txt', contentType: 'text/plain' });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function submitted(taskId: string, by: Person, summary: string): Promise<void> {
    await as(by).post(`/api/v1/tasks/${taskId}/accept`).expect(200);
    await as(by)
      .post(`/api/v1/tasks/${taskId}/submit`, { summary, attachmentIds: [await evidence(by)] })
      .expect(200);
  }

  async function signIn(p: Person, size?: { width: number; height: number }): Promise<Page> {
    const c = await newContext(browser, base, size);
    const notFound: string[] = [];
    const unreadCalls: string[] = [];
    c.context.on('response', (res) => {
      if (res.status() === 404) notFound.push(`${res.request().method()} ${res.url()}`);
    });
    c.context.on('request', (req) => {
      if (/\/api\/v1\/notifications\?.*unread=true/.test(req.url())) unreadCalls.push(req.url());
    });
    contexts.push({ ...c, notFound, unreadCalls });
    const page = await signInThroughPage(await c.context.newPage(), base, p, PASSWORD);
    await page.getByRole('heading', { name: '待办', level: 1 }).waitFor();
    return page;
  }
  const last = () => contexts[contexts.length - 1];

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
    // Created out of order, named so that a sort of the whole names would mix the levels.
    street = await api.createOrg(admin, {
      name: '东关街道党委',
      kind: 'committee',
      parentId: county.id,
    });
    branch3 = await api.createOrg(admin, {
      name: '东关社区党支部',
      kind: 'branch',
      parentId: street.id,
    });
    town = await api.createOrg(admin, {
      name: '城关镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    branch2 = await api.createOrg(admin, {
      name: '城关镇第二党支部',
      kind: 'branch',
      parentId: town.id,
    });
    branch1 = await api.createOrg(admin, {
      name: '城关镇第一党支部',
      kind: 'branch',
      parentId: town.id,
    });
    secretary = await person(admin, '王建国', 'wang.jianguo', [
      { orgId: county.id, role: 'secretary' },
    ]);
    supervisor = await person(admin, '张敏', 'zhang.min', [
      { orgId: county.id, role: 'supervisor' },
    ]);
    conflicted = await person(admin, '郑涛', 'zheng.tao', [
      { orgId: county.id, role: 'supervisor' },
      { orgId: branch1.id, role: 'member' },
    ]);
    leader = await person(admin, '陈静', 'chen.jing', [{ orgId: town.id, role: 'deputy' }]);
    await person(admin, '赵立新', 'zhao.lixin', [{ orgId: branch1.id, role: 'secretary' }]);
    responsible = await person(admin, '李红', 'li.hong', [{ orgId: branch1.id, role: 'member' }]);
    responsible2 = await person(admin, '孙强', 'sun.qiang', [
      { orgId: branch2.id, role: 'member' },
    ]);
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY)
      .expect(200);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way
    browser = await launchChromium();
  }, STEP);

  afterAll(async () => {
    for (const c of contexts) await c.context.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    for (const c of contexts) {
      expect(c.foreign).toEqual([]);
      expect(c.pageErrors).toEqual([]);
      // No page asks about an org (or anything) the user cannot read.
      expect(c.notFound).toEqual([]);
    }
  });

  it(
    'marks a returned task 已退回 with the reason at the top, names everyone, and its submit form says 提交验收',
    async () => {
      const id = await measure(
        '第一支部“三会一课”记录不全',
        '补齐10月份支部委员会会议记录',
        branch1.id,
        responsible,
        new Date(t.clock.now().getTime() + 20 * 86400_000).toISOString(),
      );
      await submitted(id, responsible, '会议记录已补齐');
      await as(supervisor)
        .post(`/api/v1/tasks/${id}/verify`, { passed: false, comment: RETURN_REASON })
        .expect(200);

      const page = await signIn(responsible);
      await page.goto(`${base}/tasks/${id}`);
      const returned = page.getByTestId('returned');
      await returned.getByText('已退回').waitFor();
      await returned.getByText(RETURN_REASON, { exact: false }).waitFor();
      await returned.getByText('张敏', { exact: false }).waitFor();
      // The mark is at the top: above the facts and the forms.
      const top = await returned.boundingBox();
      const actions = await page.locator('#actions').boundingBox();
      expect(top!.y).toBeLessThan(actions!.y);
      await page.locator('.facts').getByText('已退回').waitFor();

      // The supervisor of the county, whose roster a branch member cannot read, is named.
      await page
        .locator('#timeline [data-event="verification_failed"]')
        .getByText('张敏', { exact: false })
        .waitFor();
      await page.locator('.grid-dl').getByText('陈静').waitFor(); // the leader, of the town
      await expect(page.getByText('（其他用户）').count()).resolves.toBe(0);

      const submit = page.locator('form#submit');
      await expect(submit.locator('h3').textContent()).resolves.toBe('提交验收');
      await submit.getByRole('button', { name: '提交验收' }).waitFor();
      await screenshot(page, 'task-returned');
    },
    STEP,
  );

  it(
    'shows why an action is refused: the submitter waits for a verifier, a conflicted supervisor stays out',
    async () => {
      const id = await measure(
        '第一支部党员档案不全',
        '补齐党员档案材料',
        branch1.id,
        responsible,
        new Date(t.clock.now().getTime() + 20 * 86400_000).toISOString(),
      );
      await submitted(id, responsible, '档案已补齐');

      const doer = await signIn(responsible);
      await doer.goto(`${base}/tasks/${id}`);
      await doer
        .getByTestId('waiting-for')
        .getByText('不能验收自己的工作', { exact: false })
        .waitFor();

      const page = await signIn(conflicted);
      await page.goto(`${base}/tasks/${id}`);
      const why = page.getByTestId('conflict-of-interest');
      await why.getByText('回避', { exact: false }).waitFor();
      await expect(why.textContent()).resolves.toContain('不能验收');
      await expect(page.locator('form#verify').count()).resolves.toBe(0);
    },
    STEP,
  );

  it(
    '批准销号 shows the evidence and asks for a confirmation; 待办 approves several at once',
    async () => {
      const due = new Date(t.clock.now().getTime() + 20 * 86400_000).toISOString();
      const a = await measure(
        '第二支部主题党日流于形式',
        '主题党日每月确定主题',
        branch2.id,
        responsible2,
        due,
      );
      const b = await measure(
        '第二支部党费收缴不及时',
        '按月收缴党费并公示',
        branch2.id,
        responsible2,
        due,
      );
      const c = await measure(
        '第二支部谈心谈话不足',
        '支委与党员逐一谈心谈话',
        branch2.id,
        responsible2,
        due,
      );
      for (const [id, summary] of [
        [a, '已制定全年主题'],
        [b, '党费已按月收缴'],
        [c, '已完成谈心谈话'],
      ]) {
        await submitted(id, responsible2, summary);
        await as(supervisor).post(`/api/v1/tasks/${id}/verify`, { passed: true }).expect(200);
      }

      const page = await signIn(secretary);
      await page.goto(`${base}/tasks/${a}#close`);
      const form = page.locator('form#close');
      const shown = form.getByTestId('close-evidence');
      await shown.getByText('已制定全年主题', { exact: false }).waitFor();
      await shown.getByText('签到表.txt').waitFor();
      await form.getByRole('button', { name: '批准销号' }).click();
      await form.getByTestId('confirm-close').waitFor();
      await screenshot(page, 'close-confirm');
      await form.getByRole('button', { name: '取消' }).click();
      await form.getByRole('button', { name: '批准销号' }).waitFor();
      expect(await task(a)).toMatchObject({ state: 'verified' }); // nothing happened
      await form.getByRole('button', { name: '批准销号' }).click();
      await form.getByRole('button', { name: '确认销号' }).click();
      await page.getByTestId('flash').getByText('已销号').waitFor();
      expect(await task(a)).toMatchObject({ state: 'closed' });

      // 待办: the two left, chosen together, approved after one confirmation.
      await page.getByRole('link', { name: '待办', exact: true }).click();
      const section = page.locator('#close');
      await section.locator('tr', { hasText: '按月收缴党费并公示' }).waitFor();
      await section.getByLabel('选择：按月收缴党费并公示').check();
      await section.getByLabel('选择：支委与党员逐一谈心谈话').check();
      await section.getByRole('button', { name: '批量批准销号（2）' }).click();
      const dialog = section.getByRole('alertdialog', { name: '确认批量销号' });
      await dialog.getByText('按月收缴党费并公示', { exact: false }).waitFor();
      await dialog.getByText('支委与党员逐一谈心谈话', { exact: false }).waitFor();
      await screenshot(page, 'bulk-close');
      await dialog.getByRole('button', { name: '确认批量销号' }).click();
      await page.getByRole('status').getByText('已批量销号 2 项').waitFor();
      expect(await task(b)).toMatchObject({ state: 'closed' });
      expect(await task(c)).toMatchObject({ state: 'closed' });
    },
    STEP,
  );

  it(
    'has no silent default category, and lists orgs in tree order, indented',
    async () => {
      const page = await signIn(supervisor);
      await page.getByRole('link', { name: '立项交办' }).click();
      await page.getByRole('heading', { name: '立项交办', level: 1 }).waitFor();
      const category = page.getByLabel('问题分类');
      await category.locator('option', { hasText: '党员教育管理' }).waitFor({ state: 'attached' });
      await expect(category.inputValue()).resolves.toBe('');
      await expect(category.locator('option:checked').textContent()).resolves.toBe(
        '请选择问题分类',
      );

      const options = page.getByLabel('问题所在组织').locator('option');
      await options.filter({ hasText: '东关社区党支部' }).waitFor({ state: 'attached' });
      const texts = (await options.allTextContents()).filter((x) => x !== '请选择');
      expect(texts).toEqual([
        '某县委（党委）',
        '\u3000└ 城关镇党委（党委）',
        // siblings by name in zh-CN (pinyin) collation: 第二 (èr) before 第一 (yī)
        '\u3000\u3000└ 城关镇第二党支部（党支部）',
        '\u3000\u3000└ 城关镇第一党支部（党支部）',
        '\u3000└ 东关街道党委（党委）',
        '\u3000\u3000└ 东关社区党支部（党支部）',
      ]);

      // Everything else filled in, the form does not go without a category.
      let posted = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/v1/problems')) posted++;
      });
      await page.getByLabel('立项党组织').selectOption(county.id);
      await page.getByLabel('问题所在组织').selectOption(branch3.id);
      await page.getByLabel('问题标题').fill('东关社区党支部发展党员程序不规范');
      await page.getByLabel('问题描述').fill('发展对象政审材料缺失。');
      const m1 = page.locator('fieldset[data-measure="1"]');
      await m1.getByLabel('整改措施').fill('补齐政审材料');
      await m1.getByLabel('责任单位').selectOption(branch1.id);
      await m1.getByLabel('责任人').selectOption(responsible.id);
      await m1.getByLabel('完成期限').fill('2026-12-31');
      await page.getByRole('button', { name: '立项并交办' }).click();
      await expect(
        category.evaluate(
          (el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing,
        ),
      ).resolves.toBe(true);
      await page.waitForTimeout(300);
      expect(posted).toBe(0);
      await category.selectOption('member_education');
      await page.getByRole('button', { name: '立项并交办' }).click();
      await page.getByRole('heading', { name: '东关社区党支部发展党员程序不规范' }).waitFor();
      expect(posted).toBe(1);
    },
    STEP,
  );

  it(
    'opens, from the dashboard’s per-level figures, the list of that level only',
    async () => {
      const now = t.clock.now().getTime();
      const two = await measure(
        '城关镇第二党支部组织生活会未召开',
        '召开专题组织生活会',
        branch2.id,
        responsible2,
        new Date(now + 2 * 3600_000).toISOString(),
      );
      const one = await measure(
        '城关镇第一党支部阵地建设不达标',
        '恢复党员活动室功能',
        branch1.id,
        responsible,
        new Date(now + 3 * 3600_000 + 30 * 60_000).toISOString(),
      );
      t.clock.set(new Date(now + 3 * 3600_000 + 40 * 60_000).toISOString());
      await engine.sweep();
      await engine.sweep();
      expect(await task(two)).toMatchObject({ escalationLevel: 2 });
      expect(await task(one)).toMatchObject({ escalationLevel: 1 });

      const page = await signIn(supervisor);
      await page.getByRole('link', { name: '督办看板' }).click();
      await page.getByRole('heading', { name: '督办看板 · 某县委' }).waitFor();
      await page.getByTestId('overdue-level-2').getByRole('link', { name: '1 项' }).click();
      await page
        .getByRole('heading', { name: /任务清单/ })
        .getByText('升级至2级', { exact: false })
        .waitFor();
      expect(page.url()).toContain('escalationLevel=2');
      const rows = page.locator('table.tasks tbody tr');
      await rows.filter({ hasText: '召开专题组织生活会' }).waitFor();
      await expect(rows.count()).resolves.toBe(1);

      await page.goBack();
      await page.getByTestId('overdue-level-1').getByRole('link', { name: '1 项' }).click();
      await page.locator('table.tasks tbody tr', { hasText: '恢复党员活动室功能' }).waitFor();
      expect(page.url()).toContain('escalationLevel=1');
      await expect(page.locator('table.tasks tbody tr').count()).resolves.toBe(1);
    },
    STEP,
  );

  it(
    'offers a reload in place when the task changed meanwhile, and checks forms before sending',
    async () => {
      const id = await measure(
        '第一支部党员学习记录不全',
        '补齐党员学习记录',
        branch1.id,
        responsible,
        new Date(t.clock.now().getTime() + 20 * 86400_000).toISOString(),
      );
      const page = await signIn(responsible);
      const posted: string[] = [];
      page.on('request', (req) => {
        if (req.method() === 'POST' && /\/api\/v1\/tasks\//.test(req.url())) posted.push(req.url());
      });
      await page.goto(`${base}/tasks/${id}`);
      const accept = page.locator('form#accept');
      await accept.waitFor();
      // Meanwhile the task moves on (another tab, a colleague): the page shows version 1.
      await as(responsible).post(`/api/v1/tasks/${id}/accept`).expect(200);
      await accept.getByRole('button', { name: '签收' }).click();
      const alert = accept.getByRole('alert');
      await alert.getByText('该任务已被他人更新', { exact: false }).waitFor();
      await expect(alert.textContent()).resolves.not.toMatch(/If-Match|version|[A-Za-z]{5,}/);
      await alert.getByRole('button', { name: '刷新为最新内容' }).click();
      // Reloaded in place: the same page, the task as it is now, no error left.
      await page.locator('form#progress').waitFor();
      await expect(page.locator('form#accept').count()).resolves.toBe(0);
      await expect(page.getByRole('alert').count()).resolves.toBe(0);

      // What the server checks, the form checks first: no date before the deadline is sent.
      posted.length = 0;
      const extension = page.locator('form#request-extension');
      await extension.locator('input[type=date]').fill('2020-01-01');
      await extension.locator('textarea').first().fill('需要更多时间');
      await extension.getByRole('button', { name: '提交延期申请' }).click();
      await extension
        .getByRole('alert')
        .getByText('延期至的日期须晚于当前的完成期限', { exact: false })
        .waitFor();
      expect(posted).toEqual([]);

      // A return without its reason is refused before sending, in the server's words.
      await as(responsible)
        .post(`/api/v1/tasks/${id}/submit`, {
          summary: '学习记录已补齐',
          attachmentIds: [await evidence(responsible)],
        })
        .expect(200);
      const checker = await signIn(supervisor);
      const checkerPosts: string[] = [];
      checker.on('request', (req) => {
        if (req.method() === 'POST' && /\/api\/v1\/tasks\//.test(req.url()))
          checkerPosts.push(req.url());
      });
      await checker.goto(`${base}/tasks/${id}`);
      const verify = checker.locator('form#verify');
      await verify.getByRole('button', { name: '退回重改' }).click();
      await verify.getByRole('alert').getByText('退回重改须写明需要重改的内容').waitFor();
      expect(checkerPosts).toEqual([]);
    },
    STEP,
  );

  it(
    'fetches the unread count once per page',
    async () => {
      const page = await signIn(responsible2);
      // A locator, not a string predicate: the page's CSP forbids eval.
      await page
        .getByTestId('unread-count')
        .filter({ hasText: /^\s*[1-9]\d*\s*$/ })
        .waitFor();
      await page.waitForTimeout(500);
      const calls = last().unreadCalls;
      expect(calls).toHaveLength(1); // the sign-in and its first page: one
      await page.getByRole('link', { name: '任务清单' }).click();
      await page.getByRole('heading', { name: /任务清单/ }).waitFor();
      await page.waitForTimeout(500);
      expect(calls).toHaveLength(2);
      await page.reload();
      await page.getByRole('heading', { name: /任务清单/ }).waitFor();
      await page.waitForTimeout(500);
      expect(calls).toHaveLength(3);
    },
    STEP,
  );

  it(
    'shows on a phone that the menu scrolls',
    async () => {
      const page = await signIn(responsible, { width: 390, height: 844 });
      const nav = page.locator('nav.mainnav');
      const more = page.getByTestId('nav-more');
      await more.waitFor();
      const { scrollWidth, clientWidth } = await nav.evaluate((el) => ({
        scrollWidth: el.scrollWidth,
        clientWidth: el.clientWidth,
      }));
      expect(scrollWidth).toBeGreaterThan(clientWidth);
      await screenshot(page, 'phone-menu');
      await more.click();
      await page.getByTestId('nav-more-left').waitFor();
      await expect(nav.evaluate((el) => el.scrollLeft)).resolves.toBeGreaterThan(0);
      await nav.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
      await more.waitFor({ state: 'detached' });
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);

      // On a desktop the menu wraps: no hint.
      const wide = await signIn(responsible);
      await wide.locator('nav.mainnav').waitFor();
      await expect(wide.getByTestId('nav-more').count()).resolves.toBe(0);
    },
    STEP,
  );
});
