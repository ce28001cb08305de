import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { BENCH_PASSWORD } from './generate';
import { BENCH_DATABASE_URL } from './lib/bench-db';
import type { Figure } from './lib/context';
import { GOALS, rssFigure } from './lib/goals';
import { NODE_FLAGS } from './lib/node-flags';
import { waitHealthy } from './lib/api-process';

const PORT = Number(process.env.BENCH_API_PORT ?? 3911);
const BASE = `http://127.0.0.1:${PORT}`;

/** Peak resident set of a process (VmHWM), in MB. */
function peakRssOf(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** A latency figure: p99 against p50 (the baseline column), with the goal when there is one. */
function latency(figure: string, r: autocannon.Result, goalMs?: number): Figure {
  return {
    figure,
    value: r.latency.p99,
    unit: 'ms',
    baseline: r.latency.p50,
    ratio: r.latency.p99 / Math.max(r.latency.p50, 1),
    ...(goalMs === undefined ? {} : { goal: `p99 ≤ ${goalMs} ms`, met: r.latency.p99 <= goalMs }),
    perItem: { key: `${figure.split(':')[0]}: p99 per request (${figure})`, value: r.latency.p99 },
    note: `baseline column = p50; ${r.requests.total} requests in ${r.duration.toFixed(0)} s (${Math.round(r.requests.total / r.duration)} req/s), non-2xx ${r.non2xx}`,
  };
}

async function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * The real api (from dist) on the benchmark database, driven by autocannon over loopback:
 * (a) transitions per second on distinct tasks against a no-op endpoint behind the same guard;
 * (b) p50/p99 of the scoped red list of a county; (c) the streamed xlsx ledger: time and the
 * api's peak RSS.
 */
export async function apiBench(transitions: number): Promise<Figure[]> {
  const pg = new Client({ connectionString: BENCH_DATABASE_URL });
  await pg.connect();
  // One person responsible for `transitions` assigned tasks, with a role at the top to see them.
  const [actor] = (
    await pg.query(`SELECT u.id, u.username FROM users u JOIN role_assignments ra ON ra.user_id = u.id
                      WHERE ra.role = 'member' ORDER BY u.id LIMIT 1`)
  ).rows;
  const [root] = (await pg.query(`SELECT id FROM orgs WHERE nlevel(path) = 1`)).rows;
  await pg.query(
    `INSERT INTO role_assignments (id, user_id, org_id, role, created_at) VALUES (gen_random_uuid(), $1, $2, 'member', now())
     ON CONFLICT DO NOTHING`,
    [actor.id, root.id],
  );
  const ids: string[] = (
    await pg.query(
      `UPDATE tasks SET responsible_user_id = $1 WHERE id IN (
         SELECT id FROM tasks WHERE state = 'assigned' ORDER BY id LIMIT $2) RETURNING id`,
      [actor.id, transitions],
    )
  ).rows.map((r) => r.id);
  // A town secretary (the widest role below the province): their own red list has no orgId,
  // so only the scope predicate narrows 10^6 measures to their subtree.
  const [town] = (
    await pg.query(`SELECT u.username FROM users u JOIN role_assignments ra ON ra.user_id = u.id
                      JOIN orgs o ON o.id = ra.org_id
                     WHERE ra.role = 'secretary' AND nlevel(o.path) = 4 ORDER BY u.id LIMIT 1`)
  ).rows;
  const [county] = (
    await pg.query(`SELECT id FROM orgs WHERE nlevel(path) = 3 ORDER BY name LIMIT 1`)
  ).rows;
  // The ledger of a city: at BENCH_SCALE=1 about 6×10^4 rows, the order of the 10^5 goal.
  const [city] = (
    await pg.query(
      `SELECT o.id, (SELECT count(*) FROM tasks t WHERE t.responsible_org_path <@ o.path)::int AS rows
         FROM orgs o WHERE nlevel(o.path) = 2 ORDER BY o.name LIMIT 1`,
    )
  ).rows;
  await pg.end();

  const api = spawn(
    process.execPath,
    [...NODE_FLAGS, join(process.cwd(), 'dist/apps/api/src/main.js')],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: BENCH_DATABASE_URL,
        REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
        DUBAN_JWT_SECRET: 'bench-secret-'.padEnd(48, 'x'),
        DUBAN_QUEUE_PREFIX: `bench-api-${process.pid}`,
        DUBAN_LOG_LEVEL: 'error',
        PORT: String(PORT),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitHealthy(BASE);
    const login = async (username: string) => {
      const r = await fetch(`${BASE}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: BENCH_PASSWORD }),
      }).then((res) => res.json() as Promise<{ accessToken: string }>);
      return { authorization: `Bearer ${r.accessToken}`, 'content-type': 'application/json' };
    };
    const headers = await login(actor.username);

    const noop = await run({
      url: `${BASE}/api/v1/ping`,
      connections: 20,
      amount: transitions,
      headers,
    });
    let next = 0;
    const accept = await run({
      url: BASE,
      connections: 20,
      amount: ids.length,
      headers,
      requests: [
        {
          method: 'POST',
          body: '{}',
          setupRequest: (req) => ({
            ...req,
            path: `/api/v1/tasks/${ids[next++ % ids.length]}/accept`,
          }),
        },
      ],
    });
    // Completed requests over the run's wall time (autocannon's per-second average is coarse
    // for runs of a few seconds).
    const rate = (r: autocannon.Result) => Math.round(r.requests.total / r.duration);
    const noopRate = rate(noop);
    const acceptRate = rate(accept);
    // Latency is measured one request at a time (what a user waits for), then under load
    // (10 clients at once on the same two cores as the api and PostgreSQL), which is
    // throughput: its latency is mostly the queue.
    const countyList = `${BASE}/api/v1/tasks?orgId=${county.id}&light=red&pageSize=50`;
    const list = await run({ url: countyList, connections: 1, duration: 10, headers });
    const listLoaded = await run({ url: countyList, connections: 10, duration: 10, headers });
    const own = await run({
      url: `${BASE}/api/v1/tasks?light=red&pageSize=50`,
      connections: 1,
      duration: 10,
      headers: await login(town.username),
    });

    const l0 = process.hrtime.bigint();
    const res = await fetch(`${BASE}/api/v1/reports/ledger?orgId=${city.id}&format=xlsx`, {
      headers,
    });
    const bytes = (await res.arrayBuffer()).byteLength;
    const ledgerSeconds = Number(process.hrtime.bigint() - l0) / 1e9;
    const per100k = (ledgerSeconds * 100_000) / Math.max(city.rows, 1);
    const ledger: Figure[] = [
      {
        figure: 'api: streamed xlsx ledger of a city, time per 10^5 rows',
        value: per100k,
        perItem: { key: 'ledger: s per 10^5 rows', value: per100k },
        unit: 's',
        goal: `≤ ${GOALS.ledgerSecondsPer100k} s`,
        met: per100k <= GOALS.ledgerSecondsPer100k,
        note: `${city.rows} rows in ${ledgerSeconds.toFixed(1)} s, status ${res.status}, ${bytes} bytes`,
      },
      rssFigure('api: peak RSS of the api process (after the ledger)', peakRssOf(api.pid!)),
    ];
    return [
      {
        figure: 'api: accept transitions per second (distinct tasks)',
        value: acceptRate,
        perItem: { key: 'transitions per second', value: acceptRate, higherIsBetter: true },
        unit: 'req/s',
        baseline: noopRate,
        ratio: acceptRate / noopRate,
        goal: `ratio ≥ ${GOALS.transitionsVsNoop} and ≥ ${GOALS.transitionsPerSecond}/s`,
        met:
          acceptRate / noopRate >= GOALS.transitionsVsNoop &&
          acceptRate >= GOALS.transitionsPerSecond,
        note: `${ids.length} tasks; errors ${accept.errors}, non-2xx ${accept.non2xx}; no-op endpoint behind the same guard: ${noopRate} req/s`,
      },
      latency(
        'api: p99 of GET /tasks?orgId=<county>&light=red (page of 50), one client',
        list,
        GOALS.listP99OneClientMs,
      ),
      latency(
        'api: the same list, 10 clients at once: p99, req/s in the note',
        listLoaded,
        GOALS.redListP99Ms,
      ),
      latency(
        'api: p99 of a town secretary’s own red list (GET /tasks?light=red, scope only), one client',
        own,
        GOALS.listP99OneClientMs,
      ),
      ...ledger,
    ];
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
  }
}
