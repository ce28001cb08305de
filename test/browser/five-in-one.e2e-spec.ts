import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  describeInBrowser,
  ensureWebBuilt,
  launchChromium,
  newContext,
  screenshot,
} from './browser';

const PASSWORD = 'a-long-password-1';
const STEP = 120_000;
const HOUR = 3600_000;

/** The five-in-one loop in Chromium: filing a commitment, voting on a phone, the assessment. */
describeInBrowser('the five-in-one loop in the browser', () => {
  let t: TestApp;
  let api: ApiClient;
  let browser: Browser;
  let base: string;
  const contexts: { context: BrowserContext; foreign: string[]; pageErrors: string[] }[] = [];
  let county: { id: string };
  let branch1: { id: string };
  let branch2: { id: string };
  let countySecretary: NamedPerson;
  let secretary1: NamedPerson;
  let secretary2: NamedPerson;
  let voter: NamedPerson;
  let reviewId: string;

  const as = (p: NamedPerson) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  async function signIn(p: NamedPerson, size?: { width: number; height: number }): Promise<Page> {
    const c = await newContext(browser, base, size);
    contexts.push(c);
    const page = await c.context.newPage();
    await page.goto(`${base}/my-work`);
    await page.getByLabel('用户名').fill(p.username);
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('current-user').getByText(p.displayName).waitFor();
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
    branch1 = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: county.id });
    branch2 = await api.createOrg(admin, { name: '第二支部', kind: 'branch', parentId: county.id });
    countySecretary = await createNamedPerson(
      t,
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'xianwei-shuji',
      '王书记',
    );
    secretary1 = await createNamedPerson(
      t,
      admin,
      [{ orgId: branch1.id, role: 'secretary' }],
      'zhibu1-shuji',
      '李红',
    );
    secretary2 = await createNamedPerson(
      t,
      admin,
      [{ orgId: branch2.id, role: 'secretary' }],
      'zhibu2-shuji',
      '孙强',
    );
    voter = await createNamedPerson(
      t,
      admin,
      [{ orgId: county.id, role: 'member' }],
      'daibiao1',
      '党代表甲',
    );
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
    }
  });

  it(
    'a branch secretary files a commitment; the county returns, approves and publishes it',
    async () => {
      const page = await signIn(secretary1);
      await page.getByRole('link', { name: '承诺' }).click();
      const form = page.getByRole('form', { name: '订诺' });
      await form.getByLabel('承诺组织').selectOption(branch1.id);
      await form.getByLabel('事项').fill('规范“三会一课”');
      await form.getByLabel('可衡量的目标').fill('全年组织生活会不少于 12 次');
      await form.getByRole('button', { name: '保存为草稿' }).click();
      const card = page.getByTestId('commitment').filter({ hasText: '第一支部' });
      await card.getByTestId('commitment-state').getByText('草稿（订诺）').waitFor();
      await card.getByRole('button', { name: '提交审核' }).click();
      await card.getByTestId('commitment-state').getByText('待审核（审诺）').waitFor();

      const reviewer = await signIn(countySecretary);
      await reviewer.goto(`${base}/commitments`);
      const pending = reviewer.getByTestId('commitment').filter({ hasText: '第一支部' });
      await pending.getByLabel('退回意见').fill('目标请分季度量化');
      await pending.getByRole('button', { name: '退回修改' }).click();
      await pending.getByTestId('commitment-state').getByText('已退回').waitFor();

      await page.reload();
      await card.getByText('退回意见：目标请分季度量化').waitFor();
      await card.getByRole('button', { name: '提交审核' }).click();
      await card.getByTestId('commitment-state').getByText('待审核（审诺）').waitFor();

      await reviewer.reload();
      await pending.getByRole('button', { name: '审核通过' }).click();
      await pending.getByRole('button', { name: '公示（亮诺）' }).click();
      await pending.getByTestId('commitment-state').getByText('已公示（亮诺）').waitFor();

      await page.goto(`${base}/commitments/public`);
      await page.getByRole('heading', { name: '亮诺公示' }).waitFor();
      await page.getByTestId('commitment').getByText('全年组织生活会不少于 12 次').waitFor();
    },
    STEP,
  );

  it(
    'one quarterly feedback on 待办 carries a measure and the commitment items; a member rates them',
    async () => {
      const problem = await as(countySecretary).post('/api/v1/problems', {
        title: '第一支部“三会一课”记录不全',
        description: '季度督查中发现。',
        category: 'organisational_life',
        severity: 'general',
        source: 'quarterly_check',
        orgId: branch1.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: '补齐“三会一课”记录',
            responsibleOrgId: branch1.id,
            responsibleUserId: secretary1.id,
            mode: 'deadline',
            dueDate: '2026-12-31',
          },
        ],
      });
      expect(problem.status).toBe(201);
      const taskId = problem.body.tasks[0].id as string;
      await as(secretary1).post(`/api/v1/tasks/${taskId}/accept`).expect(200);

      const page = await signIn(secretary1);
      await page.getByRole('link', { name: '待办' }).click();
      const form = page.getByRole('form', { name: '季度进展反馈' });
      await form.getByLabel('「补齐“三会一课”记录」的本季度进展').fill('已补齐 10 月份支委会记录');
      await form.getByLabel('承诺「规范“三会一课”」的本季度进展').fill('本季度召开组织生活会 3 次');
      await form.getByRole('button', { name: '提交本季度进展反馈' }).click();
      await page
        .getByRole('status')
        .getByText(/进展 2 项/)
        .waitFor();
      // Both facts are recorded from the one submission, in the quarter they were reported.
      const task = (await as(secretary1).get(`/api/v1/tasks/${taskId}`).expect(200)).body;
      expect(task.lastProgressAt).not.toBeNull();
      const [commitment] = (
        await as(secretary1).get(`/api/v1/commitments?orgId=${branch1.id}`).expect(200)
      ).body;
      expect(commitment.items[0].progress).toEqual([
        expect.objectContaining({ content: '本季度召开组织生活会 3 次' }),
      ]);
      await form.waitFor({ state: 'detached' }); // nothing owed any more this quarter

      const member = await createNamedPerson(
        t,
        await api.adminToken(),
        [{ orgId: branch1.id, role: 'member' }],
        'zhibu1-dangyuan',
        '赵党员',
      );
      const phone = await signIn(member, { width: 390, height: 844 });
      await phone.goto(`${base}/commitments`);
      const card = phone.getByTestId('commitment').filter({ hasText: '第一支部' });
      await card.getByLabel('党员评价「规范“三会一课”」').selectOption('fulfilled');
      await card.getByRole('button', { name: '提交党员评价' }).click();
      await card.getByText('已提交党员评价').waitFor();
      await as(countySecretary)
        .post(`/api/v1/commitments/${commitment.id}/evaluation`, {
          items: [{ itemId: commitment.items[0].id, result: 'fulfilled' }],
        })
        .expect(200);
      await phone.reload();
      await card
        .getByTestId('item-result')
        .getByText(/上级评诺：已兑现；党员评价：已兑现 1，部分兑现 0，未兑现 0（1 人评价）/)
        .waitFor();
    },
    STEP,
  );

  it(
    'a voter grades both secretaries on a 390 px phone; a second ballot is impossible',
    async () => {
      const created = await as(countySecretary).post('/api/v1/reviews', {
        hostOrgId: county.id,
        year: 2026,
        subjects: [
          { orgId: branch1.id, userId: secretary1.id },
          { orgId: branch2.id, userId: secretary2.id },
        ],
        voterUserIds: [voter.id],
      });
      expect(created.status).toBe(201);
      reviewId = created.body.id;
      const phone = await signIn(voter, { width: 390, height: 844 });
      await phone.goto(`${base}/reviews`);
      await phone.getByRole('link', { name: /2026 年度述职评议/ }).click();
      const subjects = phone.getByTestId('review-subject');
      await subjects.nth(1).waitFor();
      await expect(subjects.count()).resolves.toBe(2);
      const first = subjects.filter({ hasText: '第一支部' });
      await first.getByLabel('好', { exact: true }).check();
      await first.getByLabel('意见（可不填）').fill('履职尽责');
      await screenshot(phone, 'vote-phone');
      await first.getByRole('button', { name: '投票' }).click();
      await first.getByTestId('voted').waitFor();
      const second = subjects.filter({ hasText: '第二支部' });
      await second.getByLabel('一般', { exact: true }).check();
      await second.getByRole('button', { name: '投票' }).click();
      await second.getByTestId('voted').waitFor();
      // Nothing scrolls sideways on the phone.
      const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(390);
      const again = await as(voter).post(`/api/v1/reviews/${reviewId}/ballots`, {
        subjectUserId: secretary1.id,
        grade: 'poor',
      });
      expect(again.status).toBe(409);

      await as(countySecretary).post(`/api/v1/reviews/${reviewId}/close`).expect(200);
      await phone.reload();
      await first
        .getByTestId('tally')
        .getByText(/好 1，较好 0，一般 0，差 0；共 1 人投票/)
        .waitFor();
    },
    STEP,
  );

  it(
    'the assessment table, with a drill-down to the measures behind a figure',
    async () => {
      const problem = await as(countySecretary).post('/api/v1/problems', {
        title: '第一支部党员活动室不达标',
        description: '督查中发现。',
        category: 'organisational_life',
        severity: 'serious',
        source: 'quarterly_check',
        orgId: branch1.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: '恢复党员活动室',
            responsibleOrgId: branch1.id,
            responsibleUserId: secretary1.id,
            mode: 'deadline',
            dueAt: new Date(t.clock.now().getTime() + HOUR).toISOString(),
          },
        ],
      });
      expect(problem.status).toBe(201);
      t.clock.advance(2 * HOUR);
      await as(countySecretary)
        .put(`/api/v1/orgs/${county.id}/assessment-scheme`, {
          year: 2026,
          indicators: [
            { code: 'on_time', name: '按期整改率', weight: 50, source: 'on_time_rate' },
            { code: 'overdue', name: '超期天数', weight: 10, source: 'overdue_days' },
            { code: 'review', name: '述职评议', weight: 40, source: 'review' },
          ],
          grades: [
            { grade: 'good', minScore: 90, maxShare: 0.5 },
            { grade: 'fairly_good', minScore: 75 },
            { grade: 'average', minScore: 60 },
            { grade: 'poor', minScore: 0 },
          ],
        })
        .expect(200);
      const computed = await as(countySecretary)
        .post('/api/v1/assessments', { orgId: county.id, year: 2026 })
        .expect(201);
      const page = await signIn(countySecretary);
      await page.getByRole('link', { name: '考核', exact: true }).click();
      const listed = page.getByTestId('assessment').filter({ hasText: '待确认' });
      await listed.getByText('好 0，较好 1，一般 0，差 1').waitFor();
      await listed.getByRole('link', { name: /某县委 2026 年度党建考核/ }).click();
      expect(page.url()).toBe(`${base}/assessments/${computed.body.id}`);
      const rows = page.getByTestId('assessment-row');
      await rows.nth(1).waitFor();
      await expect(rows.count()).resolves.toBe(2);
      await rows.filter({ hasText: '第一支部' }).getByTestId('grade').getByText('差').waitFor();
      await rows.filter({ hasText: '第二支部' }).getByTestId('grade').getByText('较好').waitFor();
      await screenshot(page, 'assessment-table');
      await rows.filter({ hasText: '第一支部' }).getByRole('button', { name: '0%' }).click();
      await page
        .getByTestId('drill-down')
        .getByText(/恢复党员活动室.*未按期销号/)
        .waitFor();
    },
    STEP,
  );
});
