import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package (`apt-get install -y chromium`); .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

const ROOT = join(__dirname, '..', '..');
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

/** `describe`, or `describe.skip` with a message nobody can miss when Chromium is absent. */
export function describeInBrowser(name: string, fn: () => void): void {
  if (chromiumAvailable) {
    describe(name, fn);
    return;
  }
  const bar = '!'.repeat(78);
  console.warn(
    `\n${bar}\n!! BROWSER TESTS SKIPPED: ${CHROMIUM} is missing.\n` +
      `!! Install it with:  apt-get update && apt-get install -y chromium fonts-noto-cjk\n` +
      `!! (.ci/run does this in CI, where these tests always run.)\n${bar}\n`,
  );
  describe.skip(`${name} (SKIPPED: ${CHROMIUM} is missing)`, fn);
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
