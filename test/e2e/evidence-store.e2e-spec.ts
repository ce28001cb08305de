import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import {
  BLOB_STORE,
  type BlobStore,
  filePathOf,
  PostgresBlobStore,
  verifyStore,
} from '#duban/evidence';
import { ApiClient } from '../support/api-client';
import { API_MAIN, assertBuilt, cleanEnv, Processes } from '../support/processes';
import { ADMIN, startTestApp, type TestApp, testQueuePrefix } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-env';

const ROOT = join(__dirname, '..', '..');
const CLI = (name: string) => join(ROOT, 'dist', 'libs', 'evidence', 'src', 'cli', `${name}.js`);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A PDF by its magic number, with `bytes` of random content: a different file on every run. */
function somePdf(bytes: number): Buffer {
  return Buffer.concat([
    Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
    randomBytes(bytes),
  ]);
}

/** supertest collects a binary body as a Buffer only when told how. */
function binary(res: Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** Runs a compiled command from `cwd` (not the repository), with only the given environment. */
function runCli(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: cleanEnv(env), cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function uploadThrough(
  t: TestApp,
  token: string,
  bytes: Buffer,
  name: string,
): Promise<{ id: string; sha256: string }> {
  const res = await t
    .http()
    .post('/api/v1/attachments')
    .auth(token, { type: 'bearer' })
    .attach('file', bytes, { filename: name, contentType: 'application/pdf' });
  if (res.status !== 201) throw new Error(`upload ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const downloadThrough = (t: TestApp, token: string, id: string) =>
  t
    .http()
    .get(`/api/v1/attachments/${id}`)
    .auth(token, { type: 'bearer' })
    .buffer(true)
    .parse(binary);

let elsewhere: string;

beforeAll(async () => {
  // The working directory of every spawned process: not the repository.
  elsewhere = await mkdtemp(join(tmpdir(), 'duban-elsewhere-'));
});

afterAll(async () => {
  if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
});

describe('two api processes sharing only PostgreSQL and Redis', () => {
  const processes = new Processes();
  const dirs: string[] = [];
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    assertBuilt();
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await processes.killAll();
    await database?.drop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function startApi(extra: Record<string, string> = {}): Promise<string> {
    const cwd = await mkdtemp(join(tmpdir(), 'duban-api-cwd-'));
    dirs.push(cwd);
    const app = processes.spawn(
      API_MAIN,
      cleanEnv({
        PORT: '0',
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        DUBAN_QUEUE_PREFIX: testQueuePrefix(),
        DUBAN_JWT_SECRET: 'two-instances-secret-'.padEnd(48, 'x'),
        DUBAN_ADMIN_USERNAME: ADMIN.username,
        DUBAN_ADMIN_PASSWORD: ADMIN.password,
        DUBAN_LOG_LEVEL: 'info',
        ...extra,
      }),
      { cwd },
    );
    await app.waitForOutput(/api listening on http:\/\/[^"\s]+:\d+/, 60_000);
    const port = /api listening on http:\/\/[^"\s]+:(\d+)/.exec(app.stdout())![1];
    return `http://127.0.0.1:${port}`;
  }

  it('downloads through one instance the bytes uploaded through the other', async () => {
    // The second reads its configuration from DUBAN_CONFIG_DIR (the first: config/ of the installation).
    const configDir = await mkdtemp(join(tmpdir(), 'duban-config-'));
    dirs.push(configDir);
    await copyFile(
      join(ROOT, 'config', 'escalation-policy.json'),
      join(configDir, 'escalation-policy.json'),
    );
    await writeFile(
      join(configDir, 'categories.json'),
      JSON.stringify({ categories: [{ code: 'site_specific', name: '本地分类' }] }),
    );
    const first = await startApi();
    const second = await startApi({ DUBAN_CONFIG_DIR: configDir });
    const login = async (base: string) => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      expect(res.status).toBe(200);
      return `Bearer ${((await res.json()) as { accessToken: string }).accessToken}`;
    };
    // Several 256 KiB chunks, and not a multiple of them.
    const pdf = somePdf(1024 * 1024 + 12345);
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), '整改报告.pdf');
    const uploaded = await fetch(`${first}/api/v1/attachments`, {
      method: 'POST',
      headers: { authorization: await login(first) },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const body = (await uploaded.json()) as { id: string; sha256: string; size: number };
    expect(body).toMatchObject({ sha256: sha256(pdf), size: pdf.length });

    const got = await fetch(`${second}/api/v1/attachments/${body.id}`, {
      headers: { authorization: await login(second) },
    });
    expect(got.status).toBe(200);
    expect(got.headers.get('x-content-sha256')).toBe(sha256(pdf));
    const bytes = Buffer.from(await got.arrayBuffer());
    expect(bytes.length).toBe(pdf.length);
    expect(sha256(bytes)).toBe(sha256(pdf));

    const categories = async (base: string) =>
      (await (
        await fetch(`${base}/api/v1/categories`, {
          headers: { authorization: await login(base) },
        })
      ).json()) as { code: string }[];
    expect((await categories(first)).map((c) => c.code)).toContain('political_function');
    expect(await categories(second)).toEqual([{ code: 'site_specific', name: '本地分类' }]);
  }, 120_000);
});

describe('the database store (default) refuses altered content', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await new ApiClient(t).adminToken();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a file with an altered chunk, and one with no content, and evidence:verify names them', async () => {
    const intact = await uploadThrough(t, token, somePdf(300_000), '完好.pdf');
    const pdf = somePdf(600_000);
    const altered = await uploadThrough(t, token, pdf, '被改动.pdf');
    const gone = await uploadThrough(t, token, somePdf(1000), '丢失.pdf');
    expect(
      await t.db.query('SELECT seq FROM blob_chunks WHERE sha256 = $1 ORDER BY seq', [
        altered.sha256,
      ]),
    ).toEqual([{ seq: 0 }, { seq: 1 }, { seq: 2 }]);
    expect(
      Buffer.compare((await downloadThrough(t, token, altered.id).expect(200)).body, pdf),
    ).toBe(0);

    // One byte of the middle chunk changes (as a disk fault or a tampering would), another blob goes.
    await t.db.query(
      `UPDATE blob_chunks SET data = set_byte(data, 1000, (get_byte(data, 1000) + 1) % 256)
        WHERE sha256 = $1 AND seq = 1`,
      [altered.sha256],
    );
    await t.db.query('DELETE FROM blobs WHERE sha256 = $1', [gone.sha256]);

    const refused = await downloadThrough(t, token, altered.id).expect(500);
    const error = JSON.parse(refused.body.toString());
    expect(error).toMatchObject({ statusCode: 500, code: 'evidence_corrupted' });
    expect(error.message).toMatch(/^佐证材料已损坏/);
    expect(error.message).toContain(altered.sha256);
    expect(refused.headers['content-disposition']).toBeUndefined();
    const missing = await downloadThrough(t, token, gone.id).expect(500);
    expect(JSON.parse(missing.body.toString())).toMatchObject({ code: 'evidence_missing' });
    await downloadThrough(t, token, intact.id).expect(200);

    const verify = await runCli(
      CLI('verify'),
      [],
      { DATABASE_URL: t.config.DATABASE_URL },
      elsewhere,
    );
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`ALTERED ${altered.sha256} (被改动.pdf)`);
    expect(verify.stdout).toContain(`MISSING ${gone.sha256} (丢失.pdf)`);
    expect(verify.stdout).not.toContain(intact.sha256);
    expect(verify.stderr).toMatch(
      /evidence check FAILED — postgres:: 2 files checked, 1 intact, 1 altered, 1 missing/,
    );
  }, 60_000);
});

describe('a large file altered in the database store', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_ATTACHMENT_MAX_BYTES: String(24 * 1024 * 1024) });
    token = await new ApiClient(t).adminToken();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is cut off while it streams (over 20 MiB it is checked on the way), never delivered whole', async () => {
    const pdf = somePdf(21 * 1024 * 1024);
    const big = await uploadThrough(t, token, pdf, '大文件.pdf');
    await t.db.query(
      `UPDATE blob_chunks SET data = set_byte(data, 7, (get_byte(data, 7) + 1) % 256)
        WHERE sha256 = $1 AND seq = (SELECT chunks - 1 FROM blobs WHERE sha256 = $1)`,
      [big.sha256],
    );
    let received = 0;
    const outcome = await t
      .http()
      .get(`/api/v1/attachments/${big.id}`)
      .auth(token, { type: 'bearer' })
      .buffer(true)
      .parse((res, callback) => {
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('end', () => callback(null, null));
        res.on('error', (e: Error) => callback(e, null));
        res.on('aborted', () => callback(new Error('aborted'), null));
      })
      .then(
        (res) => ({ status: res.status, error: undefined as unknown }),
        (error: unknown) => ({ status: undefined, error }),
      );
    expect(outcome.error).toBeDefined();
    expect(received).toBeLessThan(pdf.length);
  }, 120_000);
});

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

describe('the S3 store, against s3rver (an S3 emulator)', () => {
  const BUCKET = 'duban-evidence';
  let directory: string;
  let s3rver: S3rverInstance;
  let endpoint: string;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'duban-s3rver-'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const S3rver = require('s3rver') as S3rverConstructor;
    s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: BUCKET }],
    });
    endpoint = `http://127.0.0.1:${(await s3rver.run()).port}`;
    t = await startTestApp({
      DUBAN_ATTACHMENTS_URL: `s3://S3RVER:S3RVER@${BUCKET}/evidence?endpoint=${endpoint}&region=us-east-1&forcePathStyle=true`,
    });
    token = await new ApiClient(t).adminToken();
  });

  afterAll(async () => {
    await t?.close();
    await s3rver?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('stores uploads as objects, gives them back whole, and refuses an altered one', async () => {
    const pdf = somePdf(200_000);
    const uploaded = await uploadThrough(t, token, pdf, 'report.pdf');
    const again = await uploadThrough(t, token, pdf, 'same.pdf');
    expect(again.sha256).toBe(uploaded.sha256);
    expect(await t.db.query('SELECT 1 FROM blobs')).toEqual([]);

    const got = await downloadThrough(t, token, uploaded.id).expect(200);
    expect(Buffer.compare(got.body, pdf)).toBe(0);
    // Over the 5 MiB part size: a multipart upload.
    const large = somePdf(6 * 1024 * 1024);
    const parts = await uploadThrough(t, token, large, 'large.pdf');
    const back = await downloadThrough(t, token, parts.id).expect(200);
    expect(sha256(back.body)).toBe(sha256(large));

    const store = t.app.get<BlobStore>(BLOB_STORE);
    const listed = [];
    for await (const blob of store.list()) listed.push(blob);
    expect(listed).toEqual(
      expect.arrayContaining([
        { sha256: uploaded.sha256, size: pdf.length },
        { sha256: parts.sha256, size: large.length },
      ]),
    );
    expect(listed).toHaveLength(2);

    // Someone with access to the bucket replaces the object.
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      const forged = Buffer.from(pdf);
      forged[5000] ^= 0xff;
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `evidence/${uploaded.sha256.slice(0, 2)}/${uploaded.sha256}`,
          Body: forged,
        }),
      );
    } finally {
      client.destroy();
    }
    const refused = await downloadThrough(t, token, uploaded.id).expect(500);
    expect(JSON.parse(refused.body.toString())).toMatchObject({ code: 'evidence_corrupted' });
    const report = await verifyStore(store, t.db);
    expect(report.altered).toEqual([expect.objectContaining({ sha256: uploaded.sha256 })]);
    expect([...report.altered[0].names].sort()).toEqual(['report.pdf', 'same.pdf']);
  }, 60_000);
});

describe('npm run evidence:migrate', () => {
  let directory: string;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'duban-old-attachments-'));
    // Files uploaded as before: to a directory (the deprecated DUBAN_ATTACHMENTS_DIR layout).
    t = await startTestApp({ DUBAN_ATTACHMENTS_DIR: directory });
    token = await new ApiClient(t).adminToken();
  });

  afterAll(async () => {
    await t?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('copies the files on disk into the database store, checked, and can be run again', async () => {
    const one = somePdf(400_000);
    const two = somePdf(10);
    const a = await uploadThrough(t, token, one, 'a.pdf');
    const b = await uploadThrough(t, token, two, 'b.pdf');
    await uploadThrough(t, token, two, 'b-again.pdf');
    const c = await uploadThrough(t, token, somePdf(20), 'c.pdf');
    // c's file was damaged on disk.
    const damaged = filePathOf(directory, c.sha256);
    await chmod(damaged, 0o644);
    await writeFile(damaged, somePdf(20));
    expect(await t.db.query('SELECT 1 FROM blobs')).toEqual([]);

    const env = { DATABASE_URL: t.config.DATABASE_URL };
    const first = await runCli(CLI('migrate'), ['--from', directory], env, elsewhere);
    expect(first.stdout).toContain(`ALTERED ${c.sha256}`);
    expect(first.stdout).toContain(
      `${directory} → postgres:: 3 referenced, 2 copied, 0 already stored, 1 altered, 0 missing`,
    );
    expect(first.code).toBe(1);

    const second = await runCli(CLI('migrate'), ['--from', directory], env, elsewhere);
    expect(second.stdout).toContain(
      '3 referenced, 0 copied, 2 already stored, 1 altered, 0 missing',
    );

    const store = new PostgresBlobStore(t.db);
    for (const [sha, bytes] of [
      [a.sha256, one],
      [b.sha256, two],
    ] as const) {
      const chunks: Buffer[] = [];
      for await (const chunk of await store.readRaw(sha)) chunks.push(chunk as Buffer);
      expect(Buffer.compare(Buffer.concat(chunks), bytes)).toBe(0);
    }
    expect(await store.stat(c.sha256)).toBeNull();

    const usage = await runCli(CLI('migrate'), [], env, elsewhere);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: npm run evidence:migrate -- --from <dir>/);
  }, 60_000);
});
