import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from '../support/api-client';
import { readDocx } from '../support/docx-files';
import { startTestApp, type TestApp } from '../support/test-app';
import { describeInBrowser, ensureWebBuilt, launchChromium, newContext } from './browser';

const PASSWORD = 'a-long-password-for-the-browser';
const STEP = 120_000;
const TITLE = '关于2026年第四季度整改督办情况的通报';

describeInBrowser(
  '季度通报 on the dashboard: download the docx, issue it, fetch the archive',
  () => {
    let t: TestApp;
    let api: ApiClient;
    let browser: Browser;
    let base: string;
    let context: { context: BrowserContext; foreign: string[]; pageErrors: string[] };
    let county: { id: string };
    let secretaryToken: string;

    beforeAll(async () => {
      ensureWebBuilt();
      t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
      await t.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
      api = new ApiClient(t);
      const admin = await api.adminToken();
      county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
      for (const name of ['城关镇党委', '新村镇党委']) {
        await api.createOrg(admin, { name, kind: 'committee', parentId: county.id });
      }
      const res = await t
        .http()
        .post('/api/v1/users')
        .auth(admin, { type: 'bearer' })
        .send({ username: 'county.secretary', displayName: '王书记', password: PASSWORD });
      expect(res.status).toBe(201);
      await t
        .http()
        .post(`/api/v1/orgs/${county.id}/roles`)
        .auth(admin, { type: 'bearer' })
        .send({ userId: res.body.id, role: 'secretary' })
        .expect(201);
      secretaryToken = await api.login('county.secretary', PASSWORD);
      browser = await launchChromium();
      context = await newContext(browser, base);
    }, STEP);

    afterAll(async () => {
      await context?.context.close();
      await browser?.close();
      await t?.close();
    });

    async function downloaded(page: Page, click: () => Promise<void>): Promise<Buffer> {
      const [download] = await Promise.all([page.waitForEvent('download'), click()]);
      return readFileSync((await download.path())!);
    }

    it(
      'lets the secretary download the draft, issue it once, and download the archived bytes',
      async () => {
        const page = await context.context.newPage();
        await page.goto(`${base}/dashboard?orgId=${county.id}`);
        await page.getByLabel('用户名').fill('county.secretary');
        await page.getByLabel('密码').fill(PASSWORD);
        await page.getByRole('button', { name: '登录' }).click();
        const panel = page.getByRole('region', { name: '季度通报' });
        await panel.waitFor();

        const draft = await downloaded(page, () =>
          panel.getByRole('button', { name: '下载通报（Word）' }).click(),
        );
        const text = readDocx(draft).paragraphs;
        expect(text[1]).toBe(TITLE);
        expect(text[2]).toBe('城关镇党委、新村镇党委：');

        page.once('dialog', (d) => void d.accept());
        await panel.getByRole('button', { name: '印发通报' }).click();
        await panel.getByTestId('circular-issued').waitFor();
        await panel.getByTestId('circular-list').getByText(TITLE).waitFor();
        expect(await panel.getByRole('button', { name: '印发通报' }).count()).toBe(0);

        const list = await t
          .http()
          .get(`/api/v1/circulars?orgId=${county.id}`)
          .auth(secretaryToken, { type: 'bearer' })
          .expect(200);
        expect(list.body.total).toBe(1);
        const archived = await downloaded(page, () =>
          panel.getByRole('button', { name: TITLE }).click(),
        );
        expect(createHash('sha256').update(archived).digest('hex')).toBe(list.body.items[0].sha256);
        expect(readDocx(archived).paragraphs[1]).toBe(TITLE);
        expect(context.foreign).toEqual([]);
        expect(context.pageErrors).toEqual([]);
      },
      STEP,
    );
  },
);
