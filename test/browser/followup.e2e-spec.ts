import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  describeInBrowser,
  ensureWebBuilt,
  launchChromium,
  newContext,
  signInThroughPage,
} from './browser';

type Person = { id: string; username: string; token: string; name: string };
const PASSWORD = 'a-long-password-for-the-browser';
const STEP = 120_000;
const MEASURE = '补齐支部委员会会议记录';

describeInBrowser('the web workspace in Chromium: 回头看 and 负面清单', () => {
  let t: TestApp;
  let api: ApiClient;
  let browser: Browser;
  let base: string;
  let county: { id: string };
  let branch: { id: string };
  let secretary: Person;
  let inspector: Person;
  let taskId: string;
  const contexts: { context: BrowserContext; foreign: string[]; pageErrors: string[] }[] = [];

  const as = (p: Person) => ({
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  async function person(admin: string, name: string, roles: { orgId: string; role: string }[]) {
    const username = `followup-${Math.random().toString(36).slice(2, 8)}`;
    const res = await t
      .http()
      .post('/api/v1/users')
      .auth(admin, { type: 'bearer' })
      .send({ username, displayName: name, password: PASSWORD });
    expect(res.status).toBe(201);
    for (const r of roles) {
      await t
        .http()
        .post(`/api/v1/orgs/${r.orgId}/roles`)
        .auth(admin, { type: 'bearer' })
        .send({ userId: res.body.id, role: r.role })
        .expect(201);
    }
    return { id: res.body.id, username, name, token: await api.login(username, PASSWORD) };
  }

  async function signIn(p: Person, size?: { width: number; height: number }): Promise<Page> {
    const c = await newContext(browser, base, size);
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
    branch = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: county.id });
    secretary = await person(admin, '县委书记', [{ orgId: county.id, role: 'secretary' }]);
    const verifier = await person(admin, '督查员甲', [{ orgId: county.id, role: 'supervisor' }]);
    inspector = await person(admin, '督查员乙', [{ orgId: county.id, role: 'supervisor' }]);
    const responsible = await person(admin, '支部党员', [{ orgId: branch.id, role: 'member' }]);
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/reinspection-policy`, {
        rate: 1,
        alwaysSeverities: [],
        inspectorRole: 'supervisor',
      })
      .expect(200);
    const res = await as(secretary).post('/api/v1/problems', {
      title: '“三会一课”记录不全',
      description: '督查发现',
      category: 'organisational_life',
      severity: 'general',
      source: 'roving_check',
      orgId: branch.id,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure: MEASURE,
          responsibleOrgId: branch.id,
          responsibleUserId: responsible.id,
          mode: 'deadline',
          dueAt: new Date(t.clock.now().getTime() + 10 * 86400_000).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(201);
    const id = res.body.tasks[0].id;
    taskId = id;
    await as(responsible).post(`/api/v1/tasks/${id}/accept`).expect(200);
    await as(responsible).post(`/api/v1/tasks/${id}/submit`, { summary: '已补齐' }).expect(200);
    await as(verifier).post(`/api/v1/tasks/${id}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`/api/v1/tasks/${id}/close`).expect(200);
    await as(secretary)
      .post(`/api/v1/orgs/${county.id}/reinspection-draws`, { quarter: '2026Q4' })
      .expect(200);
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
    'the inspector records a relapse on a phone; the secretary sees the branch listed and lifts it',
    async () => {
      const page = await signIn(inspector, { width: 390, height: 844 });
      await page.getByRole('link', { name: '回头看', exact: true }).click();
      await page.getByRole('heading', { name: '回头看', level: 1 }).waitFor();
      const item = page.getByTestId('reinspections').locator('li', { hasText: MEASURE });
      await item.getByLabel('复查结果', { exact: true }).selectOption('relapsed');
      await item.getByLabel('复查情况', { exact: true }).fill('会议记录再次缺失');
      await item.getByRole('button', { name: '登记' }).click();
      await page.getByText('没有符合条件的回头看任务。').waitFor();
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.goto(`${base}/tasks/${taskId}`);
      await page.getByTestId('task-relapse').waitFor();

      const sec = await signIn(secretary);
      await sec.getByRole('link', { name: '负面清单', exact: true }).click();
      const entry = sec.getByTestId('negative-list').locator('li', { hasText: '第一支部' }).first();
      await entry.getByText('回头看发现整改反弹').waitFor();
      await entry
        .getByLabel('提前移出的理由', { exact: true })
        .fill('复查整改到位，党委会研究同意提前移出');
      await entry.getByRole('button', { name: '提前移出' }).click();
      await sec.getByText(/已提前移出/).waitFor();
    },
    STEP,
  );
});
