import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installationRoot } from '#duban/config';
import { BENCH_DATABASE_URL, freshBenchDatabase } from './lib/bench-db';
import { waitHealthy } from './lib/api-process';

/**
 * `npm run bench:evidence`: the real api (from dist, default store: PostgreSQL) takes a 20 MB
 * upload and gives it back, while this reads the api's resident memory from /proc. Prints the
 * RSS growth over the idle api (goal < 40 MB: the file is streamed in 256 KiB chunks, never held
 * whole) and the times. Not a timed test; needs `npm run build` first. Uses its own database,
 * BENCH_DATABASE_URL's name + `_evidence` (dropped and recreated), and BENCH_API_PORT.
 */
const PORT = Number(process.env.BENCH_API_PORT ?? 3911);
const BASE = `http://127.0.0.1:${PORT}`;
const SIZE = 20_000_000;
const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };

/** Resident memory of a process, in MB. */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

async function main(): Promise<void> {
  const u = new URL(BENCH_DATABASE_URL);
  u.pathname = `${u.pathname}_evidence`;
  const databaseUrl = u.toString();
  await freshBenchDatabase(databaseUrl);

  const api = spawn(
    process.execPath,
    [join(installationRoot(), 'dist', 'apps', 'api', 'src', 'main.js')],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: databaseUrl,
        REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
        DUBAN_JWT_SECRET: 'bench-secret-'.padEnd(48, 'x'),
        DUBAN_QUEUE_PREFIX: `bench-evidence-${process.pid}`,
        DUBAN_ADMIN_USERNAME: ADMIN.username,
        DUBAN_ADMIN_PASSWORD: ADMIN.password,
        DUBAN_LOG_LEVEL: 'error',
        PORT: String(PORT),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitHealthy(BASE);
    const login = await fetch(`${BASE}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    }).then((r) => r.json() as Promise<{ accessToken: string }>);
    const authorization = `Bearer ${login.accessToken}`;
    const upload = async (bytes: Buffer) => {
      const form = new FormData();
      form.append('file', new Blob([bytes]), 'evidence.pdf');
      const res = await fetch(`${BASE}/api/v1/attachments`, {
        method: 'POST',
        headers: { authorization },
        body: form,
      });
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; sha256: string };
    };
    const download = async (id: string) => {
      const res = await fetch(`${BASE}/api/v1/attachments/${id}`, { headers: { authorization } });
      if (res.status !== 200 || !res.body) {
        throw new Error(`download: ${res.status} ${await res.text()}`);
      }
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        size += chunk.length;
      }
      return { sha256: hash.digest('hex'), size };
    };

    // Warm up (code paths, pools) with a small file, then take the baseline.
    const pdfHead = Buffer.from('%PDF-1.4\n', 'latin1');
    const small = await upload(Buffer.concat([pdfHead, randomBytes(3_000_000)]));
    await download(small.id);
    await sleep(500);
    const before = rssOf(api.pid!);
    // Sampled while the file goes in and out (VmHWM would also count the start-up's peak).
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(api.pid!))), 20);

    const file = Buffer.concat([pdfHead, randomBytes(SIZE - pdfHead.length)]);
    const expected = createHash('sha256').update(file).digest('hex');
    let started = Date.now();
    const stored = await upload(file);
    const uploadMs = Date.now() - started;
    const afterUpload = peak;
    started = Date.now();
    const got = await download(stored.id);
    const downloadMs = Date.now() - started;
    clearInterval(sampler);
    if (got.sha256 !== expected || got.size !== SIZE) throw new Error('download differs');
    const growth = peak - before;
    process.stdout.write(
      `evidence 20 MB (postgres store): upload ${uploadMs} ms (RSS +${(afterUpload - before).toFixed(1)} MB), ` +
        `download ${downloadMs} ms ` +
        `(checked, then sent); api RSS ${before.toFixed(0)} MB idle, peak ${peak.toFixed(0)} MB ` +
        `→ growth ${growth.toFixed(1)} MB (goal < 40 MB: ${growth < 40 ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    const exited = once(api, 'exit');
    api.kill('SIGTERM');
    await exited;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
