import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fail, info } from './log.mjs';
import { API_ENTRY, ROOT, WORKER_ENTRY } from './paths.mjs';
import { run } from './run.mjs';

const SOURCE_DIRS = ['apps', 'libs'];
const SOURCE_FILE = /\.(ts|tsx|mts|cts|json)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);
const BUILD_CONFIG = ['tsconfig.json', 'tsconfig.build.json'];

function mtimeOf(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** The newest modification time of a source file under `dir` (0 if there is none). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) newest = Math.max(newest, newestSource(path));
    } else if (SOURCE_FILE.test(entry.name)) {
      newest = Math.max(newest, mtimeOf(path) ?? 0);
    }
  }
  return newest;
}

/** npm itself: the one running this script when started by `npm start`, else npm on PATH. */
function npm(args) {
  const npmCli = process.env.npm_execpath;
  return npmCli && /\.[cm]?js$/.test(npmCli)
    ? run(process.execPath, [npmCli, ...args])
    : run('npm', args);
}

/** Why node_modules must be (re)installed, or null when it is up to date. */
export function dependenciesOutdated() {
  const lock = mtimeOf(join(ROOT, 'package-lock.json'));
  // npm writes node_modules/.package-lock.json at the end of every install.
  const installed =
    mtimeOf(join(ROOT, 'node_modules', '.package-lock.json')) ??
    mtimeOf(join(ROOT, 'node_modules'));
  if (installed === null) return 'node_modules is missing';
  if (lock !== null && installed < lock) return 'node_modules is older than package-lock.json';
  return null;
}

export async function ensureDependencies() {
  const reason = dependenciesOutdated();
  if (!reason) return info('dependencies are up to date');
  // npm install, not npm ci: see .ci/run (the lock omits other platforms' optional binaries).
  info(`${reason}: running npm install`);
  const { code } = await npm(['install', '--no-audit', '--no-fund']);
  if (code !== 0) fail(`npm install failed (exit code ${code}); see its output above.`);
}

/** Why dist/ must be rebuilt, or null when both entry points are newer than every source. */
export function buildOutdated() {
  const outputs = [API_ENTRY, WORKER_ENTRY].map(mtimeOf);
  if (outputs.includes(null)) return 'dist/ has no api or worker entry point';
  const builtAt = Math.min(...outputs);
  const sources = Math.max(
    ...SOURCE_DIRS.map((dir) => newestSource(join(ROOT, dir))),
    ...BUILD_CONFIG.map((file) => mtimeOf(join(ROOT, file)) ?? 0),
  );
  return sources > builtAt ? 'sources changed since the last build' : null;
}

export async function ensureBuild() {
  const reason = buildOutdated();
  if (!reason) return info(`build is up to date (${relative(ROOT, API_ENTRY)})`);
  info(`${reason}: running npm run build`);
  const { code } = await npm(['run', 'build']);
  if (code !== 0) fail(`npm run build failed (exit code ${code}); see its output above.`);
  if (buildOutdated() === 'dist/ has no api or worker entry point') {
    fail(
      `npm run build did not produce ${relative(ROOT, API_ENTRY)} and ${relative(ROOT, WORKER_ENTRY)}.`,
    );
  }
}
