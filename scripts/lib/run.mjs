import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT } from './paths.mjs';

/**
 * Runs a command to completion. With `capture`, its output is collected (and returned) instead
 * of shown. `detached` puts it in its own process group, so a Ctrl-C on the terminal does not
 * reach it (or a daemon it leaves behind, such as the postmaster started by pg_ctl).
 */
export function run(
  command,
  args,
  { cwd = ROOT, env = process.env, capture = false, detached = false } = {},
) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env,
      detached,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    if (capture) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('error', (err) => resolve({ code: 127, output: `${output}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? 128, signal, output }));
  });
}

/**
 * The path of an executable found on PATH, or null. Not resolved through symlinks: some
 * programs (redis-server → redis-check-rdb) act according to the name they are called by.
 */
export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Quotes one word for /bin/sh. */
export function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${String(word).replaceAll("'", `'\\''`)}'`;
}

/** The last lines of a text, for error messages. */
export function tail(text, lines = 20) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
