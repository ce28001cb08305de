import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ApiClient } from '../support/api-client';
import type { TestApp } from '../support/test-app';

/** Debian's chromium package (`apt-get install -y chromium`); .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

const ROOT = join(__dirname, '..', '..');
/**
 * Tests never modify tracked files: screenshots go to .local/screenshots (git-ignored), and to
 * the README's docs/screenshots only through the explicit `npm run screenshots`.
 */
export const SCREENSHOTS =
  process.env.DUBAN_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'screenshots')
    : join(ROOT, '.local', 'screenshots');

/** `describe`, or — when Chromium is absent — one failing test that says how to install it. */
export function describeInBrowser(name: string, fn: () => void): void {
  if (chromiumAvailable) {
    describe(name, fn);
    return;
  }
  // No silent green: without the browser these journeys are not tested, so the run fails.
  describe(name, () => {
    it(`needs ${CHROMIUM}`, () => {
      throw new Error(
        `${CHROMIUM} is missing: install it with  apt-get update && apt-get install -y chromium fonts-noto-cjk` +
          '  (.ci/run does this in CI)',
      );
    });
  });
}

/** The tests drive the built workspace; build it when it is missing (npm test builds it first). */
export function ensureWebBuilt(): void {
  if (existsSync(join(ROOT, 'apps', 'web', 'dist', 'index.html'))) return;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', 'apps/web/vite.config.mts'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`building the web workspace failed:\n${r.stdout}${r.stderr}`);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * A browser context for one person. Records every request that leaves for another origin
 * (there must be none: the workspace runs on intranets) and every uncaught page error.
 */
export async function newContext(
  browser: Browser,
  base: string,
  options: { width?: number; height?: number } = {},
): Promise<{ context: BrowserContext; foreign: string[]; pageErrors: string[] }> {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const foreign: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(base) && !url.startsWith('blob:') && !url.startsWith('data:')) {
      foreign.push(url);
    }
  });
  context.on('page', (page) => page.on('pageerror', (e) => pageErrors.push(e.message)));
  return { context, foreign, pageErrors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** One person of a browser test's world: created through the API, with a token for setup. */
export interface BrowserPerson {
  id: string;
  username: string;
  name: string;
  token: string;
}

/** Creates a user through the API, grants their roles, and logs them in for API setup calls. */
export async function createPerson(
  t: TestApp,
  api: ApiClient,
  admin: string,
  person: { name: string; username: string; password: string },
  roles: readonly { orgId: string; role: string }[],
): Promise<BrowserPerson> {
  const { name, username, password } = person;
  const res = await t
    .http()
    .post('/api/v1/users')
    .auth(admin, { type: 'bearer' })
    .send({ username, displayName: name, password });
  expect(res.status).toBe(201);
  for (const r of roles) {
    await t
      .http()
      .post(`/api/v1/orgs/${r.orgId}/roles`)
      .auth(admin, { type: 'bearer' })
      .send({ userId: res.body.id, role: r.role })
      .expect(201);
  }
  return { id: res.body.id, username, name, token: await api.login(username, password) };
}

/** Signs a person in through the login page of `base`; resolves once the header names them. */
export async function signInThroughPage(
  page: Page,
  base: string,
  person: { username: string; name: string },
  password: string,
): Promise<Page> {
  await page.goto(`${base}/my-work`);
  await page.getByLabel('用户名').fill(person.username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('current-user').getByText(person.name).waitFor();
  return page;
}

/** Nothing sticks out sideways on a phone: the page scrolls only downwards. */
export async function expectFitsTheScreen(page: Page): Promise<void> {
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  expect(overflow).toBeLessThanOrEqual(0);
}
