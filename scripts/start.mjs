// `npm start`: from a fresh clone to a running api + worker on this machine.
//   1. install dependencies (npm install) and build (npm run build) when they are out of date;
//   2. find PostgreSQL and Redis at DATABASE_URL / REDIS_URL, or start private instances with
//      their data under .local/ when those point at this machine and nothing answers;
//   3. fill in DUBAN_JWT_SECRET and the first admin's credentials (kept in .local/secrets.json)
//      and the audit anchor signing key (.local/audit-key.pem);
//   4. run the api and one worker, wait for GET /health, print where to go;
//   5. on Ctrl-C / SIGTERM stop everything in order; if a child dies, stop the rest and fail.
// DUBAN_START_SERVICES_ONLY=1 (or --services-only) stops after step 3: it prints the resolved
// environment as `export` lines and keeps the local instances it started running until Ctrl-C.
// DUBAN_START_TIMEOUT_S bounds the wait for /health (default 120).

import { describeExit, startApp, stopApp } from './lib/apps.mjs';
import { printBanner } from './lib/banner.mjs';
import { ensureBuild, ensureDependencies } from './lib/build.mjs';
import { formatExports, parsePort, resolveEnv } from './lib/env.mjs';
import { waitForHealth } from './lib/health.mjs';
import { createLifecycle } from './lib/lifecycle.mjs';
import { error, ignoreBrokenPipes, info, StartError } from './lib/log.mjs';
import { tcpAnswers } from './lib/net.mjs';
import { API_ENTRY, WORKER_ENTRY } from './lib/paths.mjs';
import { applySecrets } from './lib/secrets.mjs';
import { ensureServices } from './lib/services.mjs';

const servicesOnly =
  process.env.DUBAN_START_SERVICES_ONLY === '1' || process.argv.includes('--services-only');

async function assertPortFree(port) {
  if (await tcpAnswers('127.0.0.1', port)) {
    throw new StartError(
      `端口 ${port} 已被占用 / port ${port} is already in use (another npm start?). ` +
        'Stop that process or set PORT.',
    );
  }
}

function healthTimeoutMs() {
  const seconds = Number(process.env.DUBAN_START_TIMEOUT_S || 120);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 120) * 1000;
}

/** Prints the environment, then holds the local instances (if any) until a signal. */
async function runServicesOnly(env, started, lifecycle) {
  process.stdout.write(`${formatExports(env)}\n`);
  if (started.length === 0) return lifecycle.shutdown(0);
  info(`local services running: ${started.join(', ')}; press Ctrl-C to stop them`);
  await lifecycle.untilSignal();
}

/** Runs the api and a worker until a signal, or until one of them dies. */
async function runApps(env, context, lifecycle) {
  const port = parsePort(env.PORT);
  const apps = [startApp('api', API_ENTRY, env), startApp('worker', WORKER_ENTRY, env)];
  for (const app of apps) lifecycle.trackChild(app.child);
  lifecycle.onStop('api and worker', () => Promise.all(apps.map((app) => stopApp(app))));

  let died = null;
  for (const app of apps) {
    app.exited.then((result) => {
      if (lifecycle.isStopping) return;
      died = `[${app.name}] ${describeExit(result)}`;
      lifecycle.shutdown(1, `${died}; stopping the others / 进程意外退出，正在停止其余进程`);
    });
  }

  const failure = await waitForHealth({
    port,
    timeoutMs: healthTimeoutMs(),
    abortReason: () => died,
  });
  if (lifecycle.isStopping) return;
  if (failure) return lifecycle.shutdown(1, `${failure}; stopping / 启动失败，正在停止`);
  printBanner({ port, env, ...context });
}

async function main() {
  ignoreBrokenPipes();
  const lifecycle = createLifecycle();
  lifecycle.handleSignals();
  try {
    await ensureDependencies();
    if (!servicesOnly) await ensureBuild();
    const env = resolveEnv(process.env);
    if (!servicesOnly) await assertPortFree(parsePort(env.PORT));
    const started = await ensureServices(env, lifecycle);
    const { passwordSource } = applySecrets(env);
    if (lifecycle.isStopping) return;
    if (servicesOnly) return await runServicesOnly(env, started, lifecycle);
    await runApps(env, { passwordSource, localServices: started }, lifecycle);
  } catch (err) {
    if (lifecycle.isStopping) return;
    error(err instanceof StartError ? err.message : (err.stack ?? String(err)));
    await lifecycle.shutdown(1);
  }
}

main();
