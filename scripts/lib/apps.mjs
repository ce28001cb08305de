import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, info } from './log.mjs';
import { ROOT } from './paths.mjs';

/** How long a child may take to finish its jobs after SIGTERM (compose allows the worker 30 s). */
const STOP_GRACE_MS = 35000;

const colourOf = { api: '32', worker: '35' };

/** The heap cap every app runs with (scripts/lib/node-options.json, shared with compose). */
export const NODE_FLAGS = [
  `--max-old-space-size=${JSON.parse(readFileSync(join(ROOT, 'scripts/lib/node-options.json'), 'utf8')).maxOldSpaceSizeMb}`,
];

function prefixLines(input, output, prefix) {
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => output.write(`${prefix} ${line}\n`));
}

/**
 * Starts `node entry` with `env`, its output prefixed [name]. The child gets its own process
 * group, so a Ctrl-C on the terminal reaches only this script, which then stops the children
 * in order with SIGTERM (the signal the apps shut down cleanly on).
 */
export function startApp(name, entry, env) {
  if (!existsSync(entry)) fail(`${entry} does not exist: the build did not produce it.`);
  const child = spawn(process.execPath, [...NODE_FLAGS, entry], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const prefix = tty ? `\u001b[${colourOf[name] ?? '34'}m[${name}]\u001b[0m` : `[${name}]`;
  prefixLines(child.stdout, process.stdout, prefix);
  prefixLines(child.stderr, process.stderr, prefix);
  const exited = new Promise((resolve) => {
    child.once('error', (err) => resolve({ code: null, signal: null, error: err }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  info(`started ${name} (pid ${child.pid})`);
  return { name, child, exited };
}

export function describeExit({ code, signal, error }) {
  if (error) return `could not start: ${error.message}`;
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

/** SIGTERM, then SIGKILL if the app has not exited after the grace period. */
export async function stopApp(app, graceMs = STOP_GRACE_MS) {
  const { child, exited, name } = app;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    info(`${name} did not stop within ${graceMs / 1000} s; killing it`);
    child.kill('SIGKILL');
  }
  const result = await exited;
  info(`${name} ${describeExit(result)}`);
}
