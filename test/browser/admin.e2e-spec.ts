import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client';
import { buildCsv } from '../support/ledger-files';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  createPerson,
  describeInBrowser,
  ensureWebBuilt,
  expectFitsTheScreen,
  launchChromium,
  newContext,
  signInThroughPage,
} from './browser';

type Person = { id: string; username: string; token: string; name: string };

const PASSWORD = 'a-long-password-for-the-browser';
const STEP = 120_000;
const PHONE = { width: 390, height: 844 };

describeInBrowser('人员与组织, 改派 and 撤回 in the web workspace, on a 390-px phone', () => {
  let t: TestApp;
  let api: ApiClient;
  let browser: Browser;
  let base: string;
  const contexts: { context: BrowserContext; foreign: string[]; pageErrors: string[] }[] = [];
  let county: { id: string };
  let town: { id: string };
  let branch1: { id: string };
  let branch2: { id: string };
  let countyAdmin: Person;
  let secretary: Person;
  let supervisor: Person;
  let member1: Person;
  let member2: Person;

  const person = (
    admin: string,
    name: string,
    username: string,
    roles: { orgId: string; role: string }[],
  ): Promise<Person> => createPerson(t, api, admin, { name, username, password: PASSWORD }, roles);

  async function signIn(p: Person): Promise<Page> {
    const c = await newContext(browser, base, PHONE);
    contexts.push(c);
    const page = await signInThroughPage(await c.context.newPage(), base, p, PASSWORD);
    return page;
  }

  async function newProblem(): Promise<{ id: string; taskId: string }> {
    const res = await t
      .http()
      .post('/api/v1/problems')
      .auth(supervisor.token, { type: 'bearer' })
      .send({
        title: '第一支部“三会一课”落实不到位',
        description: '督查发现会议记录缺失',
        category: 'organisational_life',
        severity: 'general',
        source: 'quarterly_check',
        orgId: town.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: '建立会议记录台账',
            responsibleOrgId: branch1.id,
            responsibleUserId: member1.id,
            mode: 'deadline',
            dueAt: new Date(t.clock.now().getTime() + 30 * 86400_000).toISOString(),
          },
        ],
      });
    expect(res.status).toBe(201);
    return { id: res.body.id, taskId: res.body.tasks[0].id };
  }

  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    town = await api.createOrg(admin, {
      name: '城关镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    branch1 = await api.createOrg(admin, { name: '第一党支部', kind: 'branch', parentId: town.id });
    branch2 = await api.createOrg(admin, { name: '第二党支部', kind: 'branch', parentId: town.id });
    countyAdmin = await person(admin, '组织部管理员', 'org.admin', [
      { orgId: county.id, role: 'admin' },
    ]);
    secretary = await person(admin, '王建国', 'wang.jianguo', [
      { orgId: county.id, role: 'secretary' },
    ]);
    supervisor = await person(admin, '张敏', 'zhang.min', [
      { orgId: county.id, role: 'supervisor' },
    ]);
    member1 = await person(admin, '李红', 'li.hong', [{ orgId: branch1.id, role: 'member' }]);
    member2 = await person(admin, '孙强', 'sun.qiang', [{ orgId: branch2.id, role: 'member' }]);
    await person(admin, '赵立新', 'zhao.lixin', [{ orgId: branch1.id, role: 'secretary' }]);
    browser = await launchChromium();
  }, STEP);

  afterAll(async () => {
    for (const c of contexts) await c.context.close();
    await browser?.close();
    await t?.close();
  });

  it(
    'an org admin revokes a role, sees the history, deactivates an org and imports with a dry run',
    async () => {
      const page = await signIn(countyAdmin);
      await page.goto(`${base}/people`);
      await page.getByRole('heading', { name: '人员与组织', level: 1 }).waitFor();
      const select = page.getByLabel('选择组织');
      await select.locator('option', { hasText: '第一党支部' }).waitFor({ state: 'attached' });
      // Org selects are indented tree lists: choose by the option's value, not its label.
      await select.selectOption(
        (await select.locator('option', { hasText: '第一党支部' }).getAttribute('value'))!,
      );

      const people = page.locator('#people');
      const row = people.locator('tr', { hasText: '赵立新' });
      await row.waitFor();
      page.once('dialog', (d) => void d.accept());
      await row.getByRole('button', { name: '撤销角色' }).click();
      await people.locator('tr', { hasText: '赵立新' }).waitFor({ state: 'detached' });
      const history = page.locator('#role-history tr', { hasText: '赵立新' });
      await history.getByText('组织部管理员').first().waitFor();
      await expectFitsTheScreen(page);

      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: '停用组织' }).click();
      await page.getByTestId('org-status').getByText('已停用').waitFor();
      await page.getByRole('button', { name: '重新启用' }).click();
      await page.getByRole('button', { name: '停用组织' }).waitFor();

      const header = [
        '上级组织',
        '组织名称',
        '组织类型',
        '时区',
        '姓名',
        '用户名',
        '角色',
        '邮箱',
        '手机',
      ];
      const bad = buildCsv([header, ['不存在的组织', '新支部', '党支部', '', '', '', '', '', '']]);
      await page
        .getByLabel('文件')
        .setInputFiles({ name: '组织.csv', mimeType: 'text/csv', buffer: bad });
      await page.getByRole('button', { name: '检查（不导入）' }).click();
      await page
        .getByTestId('import-errors')
        .getByText('未找到上级组织', { exact: false })
        .waitFor();
      await expectFitsTheScreen(page);

      const good = buildCsv([
        header,
        ['城关镇党委', '第三党支部', '党支部', '', '钱多', 'qian.duo', '书记', '', ''],
      ]);
      await page
        .getByLabel('文件')
        .setInputFiles({ name: '组织.csv', mimeType: 'text/csv', buffer: good });
      await page.getByRole('button', { name: '检查（不导入）' }).click();
      await page.getByTestId('import-result').getByText('检查通过').waitFor();
      await page.getByRole('button', { name: '导入', exact: true }).click();
      await page.getByTestId('import-result').getByText('qian.duo').waitFor();
      await expectFitsTheScreen(page);
      const created = await t.db.query(`SELECT 1 FROM orgs WHERE name = '第三党支部'`);
      expect(created).toHaveLength(1);
    },
    STEP,
  );

  it(
    'a supervisor reassigns a measure; the secretary withdraws the problem',
    async () => {
      const { id, taskId } = await newProblem();
      const page = await signIn(supervisor);
      await page.goto(`${base}/tasks/${taskId}`);
      await page.getByText('改派', { exact: true }).click();
      const form = page.getByRole('form', { name: '改派' });
      const orgSelect = form.getByLabel('责任单位');
      await orgSelect.locator('option', { hasText: '第二党支部' }).waitFor({ state: 'attached' });
      await orgSelect.selectOption(
        (await orgSelect.locator('option', { hasText: '第二党支部' }).getAttribute('value'))!,
      );
      await form
        .getByLabel('责任人')
        .locator('option', { hasText: '孙强' })
        .waitFor({ state: 'attached' });
      await form.getByLabel('责任人').selectOption({ label: '孙强（成员）' });
      await form.getByLabel('理由（必填，将记入全程记录）').fill('第一党支部撤并');
      await form.getByRole('button', { name: '确认改派' }).click();
      await page.getByTestId('flash').getByText('已改派').waitFor();
      await page.locator('#timeline').getByText('第一党支部撤并').waitFor();
      await expectFitsTheScreen(page);
      const task = await t
        .http()
        .get(`/api/v1/tasks/${taskId}`)
        .auth(member2.token, { type: 'bearer' })
        .expect(200);
      expect(task.body.responsibleUserId).toBe(member2.id);

      // The branch member it now lands on is not offered the form.
      const branchPage = await signIn(member2);
      await branchPage.goto(`${base}/tasks/${taskId}`);
      await branchPage.locator('#timeline').getByText('第一党支部撤并').waitFor();
      expect(await branchPage.locator('#reassign').count()).toBe(0);

      const sec = await signIn(secretary);
      await sec.goto(`${base}/problems/${id}`);
      await sec.getByText('撤回问题', { exact: true }).click();
      const withdraw = sec.getByRole('form', { name: '撤回问题' });
      await withdraw.getByLabel('理由（必填，将记入全程记录）').fill('误录');
      sec.once('dialog', (d) => void d.accept());
      await withdraw.getByRole('button', { name: '确认撤回' }).click();
      await sec.getByTestId('problem-state').getByText('已撤回', { exact: false }).waitFor();
      await sec.getByTestId('withdrawn-note').waitFor();
      await sec.locator('#measures').getByText('已撤回').waitFor();
      await expectFitsTheScreen(sec);

      for (const c of contexts) {
        expect(c.foreign).toEqual([]);
        expect(c.pageErrors).toEqual([]);
      }
    },
    STEP,
  );
});
