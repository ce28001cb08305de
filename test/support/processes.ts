import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait';

const ROOT = join(__dirname, '..', '..');

/** The compiled entry points (`npm run build`; `npm test` builds before running Jest). */
export const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
export const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');

export function assertBuilt(): void {
  for (const entry of [API_MAIN, WORKER_MAIN]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
}

/**
 * An environment with nothing from this machine but PATH and HOME, so that variables set in
 * the shell running the tests cannot change what a spawned app sees.
 */
export function cleanEnv(vars: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...vars };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedApp {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
  /** The exit, or an error naming the app and its output if it has not exited by then. */
  exitWithin: (ms: number) => Promise<Exit & { afterMs: number }>;
  /** Resolves when stdout or stderr matches `pattern`; fails after `timeoutMs` or on exit. */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}

/** Spawns `node entry` and remembers it, so that `killAll` can stop it whatever happens. */
export class Processes {
  private readonly apps = new Set<SpawnedApp>();

  spawn(entry: string, env: Record<string, string>, options: { cwd?: string } = {}): SpawnedApp {
    const child = spawn(process.execPath, [entry], {
      env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const started = Date.now();
    let exit: Exit | null = null;
    const exited = new Promise<Exit>((resolve) =>
      child.once('close', (code, signal) => {
        exit = { code, signal };
        resolve(exit);
      }),
    );
    const describe = () =>
      `${entry} (pid ${child.pid})\n--- stdout ---\n${out.slice(-3000)}\n--- stderr ---\n${err.slice(-3000)}`;
    const app: SpawnedApp = {
      child,
      stdout: () => out,
      stderr: () => err,
      exited,
      exitWithin: async (ms) => {
        const result = await waitFor(`${entry} to exit`, () => exit ?? undefined, {
          timeoutMs: ms,
          intervalMs: 50,
        }).catch(() => {
          throw new Error(`did not exit within ${ms} ms: ${describe()}`);
        });
        return { ...result, afterMs: Date.now() - started };
      },
      waitForOutput: async (pattern, timeoutMs = 20_000) => {
        await waitFor(
          `${pattern} in the output`,
          () => {
            if (pattern.test(out) || pattern.test(err)) return true;
            if (exit)
              throw new Error(`exited (${JSON.stringify(exit)}) before ${pattern}: ${describe()}`);
            return undefined;
          },
          { timeoutMs, intervalMs: 50 },
        ).catch((e: Error) => {
          throw new Error(`${e.message}\n${describe()}`);
        });
      },
    };
    this.apps.add(app);
    exited.then(() => this.apps.delete(app));
    return app;
  }

  /** SIGKILLs every process still running and waits until each has gone. */
  async killAll(): Promise<void> {
    const running = [...this.apps];
    for (const app of running) app.child.kill('SIGKILL');
    await Promise.all(running.map((app) => app.exited));
  }
}
