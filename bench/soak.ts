import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { BENCH_PASSWORD } from './generate';
import { BENCH_DATABASE_URL } from './lib/bench-db';
import type { Figure } from './lib/context';
import { GOALS } from './lib/goals';
import { NODE_FLAGS } from './lib/node-flags';
import { waitHealthy } from './lib/api-process';

const PORT = Number(process.env.BENCH_API_PORT ?? 3912);
const BASE = `http://127.0.0.1:${PORT}`;
const QUARTER_MS = 91 * 24 * 3600 * 1000;

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

/** One window of the soak (5 minutes of wall time by default). */
export interface SoakWindow {
  minute: number;
  /** The service's compressed "now" at the end of the window. */
  virtualNow: string;
  transitions: number;
  transitionErrors: number;
  /** Failed requests by status (or network error code). */
  errorStatuses: Record<string, number>;
  transitionP50Ms: number;
  transitionP99Ms: number;
  listP99Ms: number;
  apiRssMb: number;
  workerRssMb: number;
  apiPeakRssMb: number;
  workerPeakRssMb: number;
  auditEvents: number;
  stepEffects: number;
  notifications: number;
  quarterRuns: number;
  health: string;
}

function rssOf(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { now: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function login(username: string): Promise<string> {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (!r.ok) throw new Error(`login of ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { accessToken: string }).accessToken;
}

/**
 * Requests at a fixed rate (open loop: a slow answer does not slow the next request down), with
 * a token renewed every `renewMs` (tokens expire in compressed time too). Latencies of the
 * current window are collected until `take()`.
 */
class Load {
  private latencies: number[] = [];
  private errors = 0;
  private statuses: Record<string, number> = {};
  private stopped = false;
  private token = '';
  private tokenAt = 0;

  constructor(
    private readonly username: string,
    private readonly perSecond: number,
    private readonly request: (token: string, i: number) => Promise<Response>,
    private readonly renewMs: number,
  ) {}

  async run(): Promise<void> {
    const gap = 1000 / this.perSecond;
    let i = 0;
    let next = Date.now();
    const inFlight = new Set<Promise<void>>();
    while (!this.stopped) {
      if (Date.now() - this.tokenAt > this.renewMs) {
        // A login the api cannot answer is a failure of that window, not the end of the soak
        // (the hour of 2026-12-02 died of one at minute 52, before writing its results).
        try {
          this.token = await login(this.username);
          this.tokenAt = Date.now();
        } catch (e) {
          this.fail(`login: ${(e as { cause?: { code?: string } }).cause?.code ?? String(e)}`);
          await sleep(1000);
          continue;
        }
      }
      const started = performance.now();
      const p: Promise<void> = this.request(this.token, i++)
        .then(async (res) => {
          if (res.ok) {
            await res.arrayBuffer();
            this.latencies.push(performance.now() - started);
          } else this.fail(String(res.status), await res.text());
        })
        .catch((e: unknown) =>
          this.fail((e as { cause?: { code?: string } }).cause?.code ?? 'error'),
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      next += gap;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now(); // behind: do not burst to catch up
    }
    await Promise.all(inFlight);
  }

  /** The first answer of each failing status, to say why in the report. */
  readonly samples: Record<string, string> = {};

  private fail(status: string, body = ''): void {
    this.samples[status] ??= body.slice(0, 300);
    this.errors++;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  take(): { latencies: number[]; errors: number; statuses: Record<string, number> } {
    const out = { latencies: this.latencies, errors: this.errors, statuses: this.statuses };
    this.latencies = [];
    this.errors = 0;
    this.statuses = {};
    return out;
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Removes every Redis key of the soak's queue prefix (its jobs are of no use afterwards). */
async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

function startApp(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, join(process.cwd(), entry)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * `npm run bench -- soak`: the real api and worker (from dist, with the shipped heap cap) on the
 * benchmark province, with compressed time so that BENCH_SOAK_MINUTES of wall time (60 by
 * default) is a whole quarter: steady progress reports from several clients, a reader of the
 * county red list, and meanwhile the sweep, the ladder and the quarterly rhythm doing what the
 * quarter brings. Every BENCH_SOAK_WINDOW_MINUTES (5) it records p50/p99, RSS of both
 * processes and the size of the growing tables, so drift (a leak, a slowdown as tables grow)
 * shows as a trend.
 */
export async function soak(): Promise<Figure[]> {
  const minutes = num('BENCH_SOAK_MINUTES', 60);
  const windowMinutes = num('BENCH_SOAK_WINDOW_MINUTES', 5);
  const clients = Math.round(num('BENCH_SOAK_CLIENTS', 4));
  const rate = num('BENCH_SOAK_RATE', 40);
  const clockRate = Math.max(1, Math.round(QUARTER_MS / (minutes * 60_000)));

  const pg = new Client({ connectionString: BENCH_DATABASE_URL });
  await pg.connect();
  const [root] = (await pg.query(`SELECT id FROM orgs WHERE nlevel(path) = 1`)).rows;
  const [county] = (
    await pg.query(`SELECT id FROM orgs WHERE nlevel(path) = 3 ORDER BY name LIMIT 1`)
  ).rows;
  const users: { id: string; username: string }[] = (
    await pg.query(
      `SELECT u.id, u.username FROM users u
        WHERE EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id AND ra.role = 'member')
        ORDER BY u.id LIMIT $1`,
      [clients],
    )
  ).rows;
  // Each client answers for its own in-progress measures (those it held in an earlier soak on
  // this database first) and may see the whole province.
  const tasksOf = new Map<string, string[]>();
  for (const u of users) {
    await pg.query(
      `INSERT INTO role_assignments (id, user_id, org_id, role, created_at)
       VALUES (gen_random_uuid(), $1, $2, 'member', now()) ON CONFLICT DO NOTHING`,
      [u.id, root.id],
    );
    const ids = (
      await pg.query(
        `UPDATE tasks SET responsible_user_id = $1::uuid WHERE id IN (
           SELECT id FROM tasks
            WHERE state = 'in_progress'
              AND (responsible_user_id IS NULL OR responsible_user_id = $1::uuid
                   OR NOT responsible_user_id = ANY($2::uuid[]))
            ORDER BY responsible_user_id = $1::uuid DESC NULLS LAST, md5(id::text || $1::text)
            LIMIT 500) RETURNING id`,
        [u.id, users.map((x) => x.id)],
      )
    ).rows.map((r: { id: string }) => r.id);
    tasksOf.set(u.username, ids);
  }
  const autovacuumOn = (await pg.query(`SHOW autovacuum`)).rows[0].autovacuum === 'on';
  let vacuums: number | undefined;
  const counts = async () =>
    (
      await pg.query(
        `SELECT (SELECT count(*) FROM audit_events)::int AS audit,
                (SELECT count(*) FROM task_effects WHERE kind = 'step')::int AS steps,
                (SELECT count(*) FROM notifications)::int AS notifications,
                (SELECT count(*) FROM quarter_runs)::int AS quarter_runs`,
      )
    ).rows[0] as { audit: number; steps: number; notifications: number; quarter_runs: number };

  const origin = new Date();
  const env = {
    DATABASE_URL: BENCH_DATABASE_URL,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    DUBAN_JWT_SECRET: 'bench-secret-'.padEnd(48, 'x'),
    DUBAN_QUEUE_PREFIX: `bench-soak-${process.pid}`,
    DUBAN_LOG_LEVEL: 'error',
    DUBAN_CLOCK_RATE: String(clockRate),
    DUBAN_CLOCK_ORIGIN: origin.toISOString(),
    // Durations the engine measures on its clock are compressed too: a claim lease of two
    // minutes of wall time, a token that lives as long as the rules allow (renewed by the load).
    DUBAN_CLAIM_LEASE_MS: String(120_000 * clockRate),
    DUBAN_TOKEN_TTL_SECONDS: String(7 * 24 * 3600),
    DUBAN_SWEEP_INTERVAL_MS: '5000',
    PORT: String(PORT),
  };
  const virtualNow = () => new Date(origin.getTime() + (Date.now() - origin.getTime()) * clockRate);
  const api = startApp('dist/apps/api/src/main.js', env);
  const worker = startApp('dist/apps/worker/src/main.js', env);
  const renewMs = Math.min(60_000, ((7 * 24 * 3600 * 1000) / clockRate) * 0.5);
  let vacuumer: { stop: () => Promise<number> } | null = null;
  const loads: Load[] = [];
  const windows: SoakWindow[] = [];
  try {
    await waitHealthy(BASE);
    for (const u of users) {
      const ids = tasksOf.get(u.username)!;
      loads.push(
        new Load(
          u.username,
          rate / users.length,
          (token, i) =>
            fetch(`${BASE}/api/v1/tasks/${ids[i % ids.length]}/progress`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ content: `第${i + 1}次进展反馈：按计划推进`, percent: 50 }),
            }),
          renewMs,
        ),
      );
    }
    const reader = new Load(
      users[0].username,
      2,
      (token) =>
        fetch(`${BASE}/api/v1/tasks?orgId=${county.id}&light=red&pageSize=50`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      renewMs,
    );
    const running = [...loads, reader].map((l) => l.run());
    // What autovacuum would do, where the server has it off (this machine's CI configuration):
    // every VACUUM_EVERY_MS, the tables the quarter writes are vacuumed and analysed.
    vacuumer = autovacuumOn ? null : standInVacuum();
    const windowCount = Math.max(1, Math.round(minutes / windowMinutes));
    for (let w = 1; w <= windowCount; w++) {
      await sleep(windowMinutes * 60_000);
      const taken = loads.map((l) => l.take());
      const latencies = taken.flatMap((t) => t.latencies).sort((a, b) => a - b);
      const list = reader.take().latencies.sort((a, b) => a - b);
      const apiRss = rssOf(api.pid!);
      const workerRss = rssOf(worker.pid!);
      const c = await counts();
      const health = await fetch(`${BASE}/health`)
        .then(async (r) => {
          const body = (await r.json()) as { status?: string; message?: string };
          return [body.status ?? String(r.status), body.message].filter(Boolean).join(': ');
        })
        .catch((e: unknown) => `unreachable: ${String(e)}`);
      const row: SoakWindow = {
        minute: w * windowMinutes,
        virtualNow: virtualNow().toISOString(),
        transitions: latencies.length,
        transitionErrors: taken.reduce((n, t) => n + t.errors, 0),
        errorStatuses: taken.reduce<Record<string, number>>((all, t) => {
          for (const [k, v] of Object.entries(t.statuses)) all[k] = (all[k] ?? 0) + v;
          return all;
        }, {}),
        transitionP50Ms: Math.round(percentile(latencies, 50)),
        transitionP99Ms: Math.round(percentile(latencies, 99)),
        listP99Ms: Math.round(percentile(list, 99)),
        apiRssMb: apiRss.now,
        workerRssMb: workerRss.now,
        apiPeakRssMb: apiRss.peak,
        workerPeakRssMb: workerRss.peak,
        auditEvents: c.audit,
        stepEffects: c.steps,
        notifications: c.notifications,
        quarterRuns: c.quarter_runs,
        health,
      };
      windows.push(row);
      process.stdout.write(`soak ${JSON.stringify(row)}\n`);
    }
    for (const l of [...loads, reader]) l.stop();
    await Promise.all(running);
    for (const l of loads) {
      for (const [status, body] of Object.entries(l.samples)) {
        process.stdout.write(`soak: first ${status} answer: ${body}\n`);
      }
    }
  } finally {
    for (const l of [...loads]) l.stop();
    // Stopped here too when the soak fails, or its timer would keep the process alive.
    vacuums = (await vacuumer?.stop()) ?? 0;
    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    await Promise.all([api, worker].map((p) => new Promise((r) => p.once('exit', r))));
    await pg.end();
    await dropPrefix(env.REDIS_URL, env.DUBAN_QUEUE_PREFIX);
  }
  return soakFigures(windows, {
    minutes,
    clockRate,
    clients: users.length,
    rate,
    autovacuum: autovacuumOn ? 'on' : `off: the harness vacuumed ${vacuums ?? 0} times`,
  });
}

const VACUUM_EVERY_MS = 5 * 60_000;
/** The tables a quarter of engine work and reports rewrites. */
const VACUUMED = [
  'tasks',
  'task_effects',
  'notifications',
  'deliveries',
  'audit_events',
  'accountability_cases',
  'negative_list_entries',
];

/**
 * VACUUM (ANALYZE) of the written tables every VACUUM_EVERY_MS, one pass at a time, on a
 * connection of its own (a pass takes tens of seconds; the window counts must not wait on it).
 */
function standInVacuum(): { stop: () => Promise<number> } {
  const stopping = new AbortController();
  let passes = 0;
  const loop = (async () => {
    const pg = new Client({ connectionString: BENCH_DATABASE_URL });
    await pg.connect();
    try {
      for (;;) {
        await sleep(VACUUM_EVERY_MS, undefined, { signal: stopping.signal });
        await pg.query(`VACUUM (ANALYZE) ${VACUUMED.join(', ')}`);
        passes++;
      }
    } catch (e) {
      if (!stopping.signal.aborted) throw e;
    } finally {
      await pg.end();
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
      return passes;
    },
  };
}

/** Drift: the median of the last three windows against the median of the first three. */
function soakFigures(
  windows: SoakWindow[],
  run: { minutes: number; clockRate: number; clients: number; rate: number; autovacuum: string },
): Figure[] {
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}-soak.json`);
  writeFileSync(file, JSON.stringify({ run, windows }, null, 2));
  const head = windows.slice(0, 3);
  const tail = windows.slice(-3);
  /** A drift figure: the median of the last three windows against the first three. */
  const drift = (
    figure: string,
    unit: string,
    pick: (w: SoakWindow) => number,
    limit: number,
  ): Figure => {
    const value = median(tail.map(pick));
    const baseline = median(head.map(pick));
    const ratio = value / Math.max(baseline, 1);
    return {
      figure: `soak: ${figure}, last 3 windows vs first 3 (median)`,
      value,
      unit,
      baseline,
      ratio,
      goal: `no drift (≤ ${limit}×)`,
      met: ratio <= limit,
    };
  };
  const table = windows
    .map(
      (w) =>
        `| ${w.minute} | ${w.virtualNow.slice(0, 10)} | ${w.transitions} | ${w.transitionErrors} | ${w.transitionP50Ms} | ${w.transitionP99Ms} | ${w.listP99Ms} | ${w.apiRssMb} | ${w.workerRssMb} | ${w.auditEvents} | ${w.stepEffects} | ${w.quarterRuns} | ${w.health} |`,
    )
    .join('\n');
  process.stdout.write(
    `\n| minute | service date | transitions | errors | p50 ms | p99 ms | list p99 ms | api RSS MB | worker RSS MB | audit events | step effects | quarter runs | health |\n|${' --- |'.repeat(13)}\n${table}\n\nwindows written to ${file}\n`,
  );
  const peak = Math.max(...windows.flatMap((w) => [w.apiPeakRssMb, w.workerPeakRssMb]));
  const note = `${run.minutes} min of wall time at ${run.clockRate}× (one quarter), ${run.clients} clients, ${run.rate} progress reports/s, autovacuum ${run.autovacuum}; per-window table in ${file}`;
  return [
    { ...drift('transition p99', 'ms', (w) => w.transitionP99Ms, 1.5), note },
    drift('list p99', 'ms', (w) => w.listP99Ms, 1.5),
    drift('api RSS', 'MB', (w) => w.apiRssMb, 1.2),
    drift('worker RSS', 'MB', (w) => w.workerRssMb, 1.2),
    {
      figure: 'soak: peak RSS of api and worker',
      value: peak,
      unit: 'MB',
      goal: `≤ ${GOALS.rssMb} MB`,
      met: peak <= GOALS.rssMb,
    },
    {
      figure: 'soak: transitions that failed',
      value: windows.reduce((n, w) => n + w.transitionErrors, 0),
      unit: '',
      goal: '0',
      met: windows.every((w) => w.transitionErrors === 0),
    },
  ];
}
