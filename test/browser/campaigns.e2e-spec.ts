import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  createPerson,
  describeInBrowser,
  ensureWebBuilt,
  expectFitsTheScreen,
  launchChromium,
  newContext,
  screenshot,
  signInThroughPage,
} from './browser';

type Person = { id: string; username: string; token: string; name: string };

const PASSWORD = 'a-long-password-for-the-browser';
const STEP = 120_000;
const PHONE = { width: 390, height: 844 };
const PHOTO = {
  name: '现场照片.png',
  mimeType: 'image/png',
  buffer: Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(64, 1),
  ]),
};

describeInBrowser('督查 in the web workspace, on a 390-px phone', () => {
  let t: TestApp;
  let api: ApiClient;
  let browser: Browser;
  let base: string;
  const contexts: { context: BrowserContext; foreign: string[]; pageErrors: string[] }[] = [];
  let county: { id: string };
  const branches: { id: string; name: string }[] = [];
  let leader: Person;
  let member: Person;

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

  beforeAll(async () => {
    ensureWebBuilt();
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    const town = await api.createOrg(admin, {
      name: '城关镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    for (const name of ['东街党支部', '西街党支部', '南街党支部', '北街党支部', '新村党支部']) {
      const b = await api.createOrg(admin, { name, kind: 'branch', parentId: town.id });
      branches.push({ id: b.id, name });
      await person(admin, `${name.slice(0, 2)}书记`, `sec-${b.id.slice(0, 8)}`, [
        { orgId: b.id, role: 'secretary' },
      ]);
    }
    leader = await person(admin, '张敏', 'zhang.min', [{ orgId: county.id, role: 'supervisor' }]);
    member = await person(admin, '李督', 'li.du', [{ orgId: county.id, role: 'supervisor' }]);
    browser = await launchChromium();
  }, STEP);

  afterAll(async () => {
    for (const c of contexts) await c.context.close();
    await browser?.close();
    await t?.close();
  });

  it(
    'creates a spot-check campaign and records a finding during a visit',
    async () => {
      const page = await signIn(leader);
      await page
        .getByRole('navigation', { name: '主导航' })
        .getByRole('link', { name: '督查' })
        .click();
      await page.getByRole('heading', { name: '督查', level: 1 }).waitFor();
      await page.getByRole('link', { name: '组织督查' }).click();
      await page.getByRole('heading', { name: '组织督查', level: 1 }).waitFor();

      await page.getByLabel('名称').fill('2026年12月基层党建随机抽查');
      await page.getByLabel('督查类型').selectOption('spot_check');
      await page.getByLabel('开始日期').fill('2026-12-01');
      await page.getByLabel('结束日期').fill('2026-12-20');
      await page.getByLabel('组长').selectOption({ label: '张敏' });
      await page.getByRole('checkbox', { name: '李督' }).check();
      await page.getByLabel('组织类型').selectOption('branch');
      await page.getByLabel('抽取数量').fill('3');
      await page.getByLabel('随机种子（可不填）').fill('2026-12-抽查');
      await page.getByRole('button', { name: '添加清单项' }).click();
      await page.getByLabel('清单第1项内容').fill('“三会一课”是否按规定开展');
      await page.getByLabel('清单第1项分类').selectOption('organisational_life');
      await expectFitsTheScreen(page);
      await page.getByRole('button', { name: '创建督查' }).click();

      await page.getByRole('heading', { name: '2026年12月基层党建随机抽查' }).waitFor();
      await page.getByTestId('draw').getByText('从 5 个组织中抽取 3 个').waitFor();
      const rows = page.getByTestId('board').locator('tbody tr[data-org]');
      expect(await rows.count()).toBe(3);
      const campaignId = page.url().split('/').pop()!;
      const created = await t
        .http()
        .get(`/api/v1/campaigns/${campaignId}`)
        .auth(member.token, { type: 'bearer' })
        .expect(200);
      expect(created.body.teamUserIds).toEqual([leader.id, member.id]);
      const target = created.body.targets[0] as { orgId: string; orgName: string };

      // On the visit: the finding, a photo, and the first measure.
      await page.getByLabel('督查对象').selectOption(target.orgId);
      await page.getByLabel('清单项').selectOption('A1');
      await page.getByLabel('发现的问题').fill('支委会会议记录缺失');
      await page.getByLabel('具体情况').fill('现场查阅，9月、10月支委会无会议记录。');
      expect(await page.getByLabel('问题分类').inputValue()).toBe('organisational_life');
      await page.getByLabel('严重程度').selectOption('serious');
      await page.locator('#f-files').setInputFiles(PHOTO);
      await page.getByText(PHOTO.name).waitFor();
      await page.getByLabel('措施').fill('补齐会议记录，建立台账');
      await page.getByLabel('责任人').selectOption({ index: 1 });
      await page.getByLabel('整改时限').fill('2026-12-31');
      await expectFitsTheScreen(page);
      await page.getByRole('button', { name: '保存发现并立项' }).click();
      await page.getByRole('status').getByText('已记录并立项').waitFor();

      const row = page.locator(`tr[data-org="${target.orgId}"]`);
      await row.locator('[data-count="findings"]').getByText('1').waitFor();
      expect(await row.locator('[data-count="open"]').innerText()).toBe('1');
      await page.locator('#findings').getByRole('link', { name: '支委会会议记录缺失' }).waitFor();
      await expectFitsTheScreen(page);
      await screenshot(page, 'campaign-board-phone');

      const found = await t
        .http()
        .get(`/api/v1/campaigns/${campaignId}/findings`)
        .auth(leader.token, { type: 'bearer' })
        .expect(200);
      expect(found.body).toHaveLength(1);
      expect(found.body[0]).toMatchObject({ targetOrgId: target.orgId, checklistCode: 'A1' });
      expect(found.body[0].attachmentIds).toHaveLength(1);
      const problem = await t
        .http()
        .get(`/api/v1/problems/${found.body[0].problemId}`)
        .auth(leader.token, { type: 'bearer' })
        .expect(200);
      expect(problem.body).toMatchObject({
        campaignId,
        source: 'spot_check',
        severity: 'serious',
        taskCount: 1,
      });

      for (const c of contexts) {
        expect(c.foreign).toEqual([]);
        expect(c.pageErrors).toEqual([]);
      }
    },
    STEP,
  );
});
