#!/usr/bin/env node
// `npm test`: installs dependencies if missing, then lint, build, typecheck, OpenAPI lint, and every Jest test
// (unit and e2e against real PostgreSQL and Redis). Ends with one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(label, command, args) {
  process.stdout.write(`\n== ${label} ==\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  return result.status ?? 1;
}

function step(label, command, args) {
  const status = run(label, command, args);
  if (status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${status})\n0 passed, 1 failed\n`);
    process.exit(status);
  }
}

const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  // npm install, not npm ci: see .ci/run (the lock omits other platforms' optional binaries).
  step('install (npm install)', npm, ['install', '--no-audit', '--no-fund']);
}

step('lint (eslint)', npx, ['eslint', '.']);
step('format check (prettier)', npx, ['prettier', '--check', '.']);
// The build first: it writes the OpenAPI document (dist/openapi.json) and the web workspace's
// types generated from it, which the typecheck (test/client) and the linter read.
step('build (api, OpenAPI document, generated client types, web)', npm, ['run', 'build']);
step('typecheck (tsc)', npx, ['tsc', '-p', 'tsconfig.json', '--noEmit']);
// The document's ruleset is redocly.yaml; no telemetry, no update check (CI is offline).
process.env.REDOCLY_TELEMETRY = 'off';
process.env.REDOCLY_SUPPRESS_UPDATE_NOTICE = 'true';
step('OpenAPI lint (redocly)', npx, ['redocly', 'lint', 'dist/openapi.json']);

mkdirSync(join(root, '.local'), { recursive: true });
const resultsFile = join(root, '.local', 'jest-results.json');
const jestArgs = ['jest', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)];
const status = run('tests (jest: unit + e2e)', npx, jestArgs);

let summary = status === 0 ? '0 passed, 0 failed' : '0 passed, 1 failed';
if (existsSync(resultsFile)) {
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  let failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  // Every test passed but jest failed: its global teardown did, i.e. the walk of the responses
  // the run provoked (test/support/response-walk.ts) found bodies or statuses to fix, listed above.
  if (status !== 0 && failed === 0) failed = 1;
  summary = `${r.numPassedTests} passed, ${failed} failed`;
  if (r.numPendingTests) summary += `, ${r.numPendingTests} skipped`;
}
process.stdout.write(`\n${summary}\n`);
process.exit(status);
