import { Logger } from '@nestjs/common';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditAnchorService, AuditLog, eventHash, type AuditEventInput } from '#duban/audit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AUDIT_ANCHOR_SCHEDULER_ID, AUDIT_QUEUE } from '#duban/audit';
import { createAppDataSource } from '#duban/persistence';
import { ApiClient } from '../support/api-client';
import { asOwner, ownerTransaction } from '../support/owner-db';
import { assertBuilt, cleanEnv, Processes, WORKER_MAIN } from '../support/processes';
import { startTestApp, TestApp, testQueuePrefix } from '../support/test-app';
import { createTestDatabase } from '../support/test-database';
import { ADMIN_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';
import { waitFor } from '../support/wait';

const CLI = join(__dirname, '../../dist/libs/audit/src/cli');

function writeKey(dir: string, name: string): string {
  const file = join(dir, name);
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}

interface EventRow {
  id: string;
  stream_type: string;
  stream_id: string;
  seq: number;
  at: Date;
  actor_id: string | null;
  type: string;
  from_state: string | null;
  to_state: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
}

describe('the audit record: least privilege and signed anchors', () => {
  let t: TestApp;
  let dir: string;
  let keyFile: string;
  let anchorFile: string;
  const streamA = randomUUID();
  const streamB = randomUUID();

  const run = (cli: 'anchor' | 'verify', env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(CLI, `${cli}.js`)], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: t.config.DATABASE_URL,
        DUBAN_AUDIT_KEY_FILE: keyFile,
        DUBAN_AUDIT_ANCHOR_FILE: anchorFile,
        ...env,
      },
      encoding: 'utf8',
    });

  const append = (events: AuditEventInput[]) =>
    t.db.transaction((m) => t.app.get(AuditLog).append(m, events));
  const event = (streamId: string, type: string): AuditEventInput => ({
    streamType: 'task',
    streamId,
    at: t.clock.now(),
    actorId: null,
    type,
    data: { note: `${type} 记录` },
  });
  const lastOf = async (streamId: string): Promise<EventRow> =>
    (
      await t.db.query(
        `SELECT id::text AS id, stream_type, stream_id::text AS stream_id, seq, at, actor_id, type,
                from_state, to_state, data, prev_hash, hash
           FROM audit_events WHERE stream_id = $1 ORDER BY seq DESC LIMIT 1`,
        [streamId],
      )
    )[0];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duban-anchors-'));
    keyFile = writeKey(dir, 'audit-key.pem');
    anchorFile = join(dir, 'anchors', 'audit-anchors.jsonl');
    t = await startTestApp({ DUBAN_AUDIT_KEY_FILE: keyFile, DUBAN_AUDIT_ANCHOR_FILE: anchorFile });
    for (const type of ['created', 'accepted', 'submitted']) {
      await append([event(streamA, type), event(streamB, type)]);
    }
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the app role (duban_app)', () => {
    it('is what the pool works as: not a superuser, owning nothing', async () => {
      const [who] = await t.db.query(
        `SELECT current_user AS role, r.rolsuper, r.rolbypassrls, r.rolcanlogin
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(who).toEqual({
        role: 'duban_app',
        rolsuper: false,
        rolbypassrls: false,
        rolcanlogin: false,
      });
    });

    it('cannot switch triggers off, rewrite or delete the record, alter or truncate it', async () => {
      await expect(t.db.query(`SET session_replication_role = replica`)).rejects.toThrow(
        /permission denied to set parameter "session_replication_role"/,
      );
      await expect(
        t.db.query(`UPDATE audit_events SET data = '{}' WHERE stream_id = $1`, [streamA]),
      ).rejects.toThrow(/permission denied for table audit_events/);
      await expect(
        t.db.query(`DELETE FROM audit_events WHERE stream_id = $1`, [streamA]),
      ).rejects.toThrow(/permission denied for table audit_events/);
      await expect(t.db.query(`TRUNCATE audit_events`)).rejects.toThrow(/permission denied/);
      await expect(
        t.db.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`),
      ).rejects.toThrow(/must be owner of table audit_events/);
      await expect(t.db.query(`DROP TABLE audit_events`)).rejects.toThrow(/must be owner/);
      await expect(t.db.query(`DELETE FROM audit_anchors`)).rejects.toThrow(
        /permission denied for table audit_anchors/,
      );
      await expect(t.db.query(`CREATE TABLE intruder (id int)`)).rejects.toThrow(
        /permission denied for schema public/,
      );
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_events`);
      expect(n).toBe(6);
    });

    it('reads and writes a table a later migration creates (default privileges)', async () => {
      await asOwner(t.config.DATABASE_URL, (c) =>
        c.query(`CREATE TABLE later_feature (id int GENERATED BY DEFAULT AS IDENTITY, v text)`),
      );
      await t.db.query(`INSERT INTO later_feature (v) VALUES ('x')`);
      await t.db.query(`UPDATE later_feature SET v = 'y'`);
      expect(await t.db.query(`SELECT v FROM later_feature`)).toEqual([{ v: 'y' }]);
      await t.db.query(`DELETE FROM later_feature`);
    });
  });

  describe('anchors', () => {
    it('audit:anchor signs every head, into the table and the file; audit:verify checks them', async () => {
      assertBuilt();
      const made = run('anchor');
      expect(made.stderr).toBe('');
      expect(made.status).toBe(0);
      expect(made.stdout).toMatch(/audit anchor made: .*2 streams, 6 events/);
      const lines = readFileSync(anchorFile, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      const anchor = JSON.parse(lines[0]);
      expect(anchor.heads).toEqual(
        expect.arrayContaining([
          [streamA, 3, (await lastOf(streamA)).hash],
          [streamB, 3, (await lastOf(streamB)).hash],
        ]),
      );
      const [row] = await t.db.query(
        `SELECT root, signature, stream_count FROM audit_anchors ORDER BY id DESC LIMIT 1`,
      );
      expect(row).toEqual({ root: anchor.root, signature: anchor.signature, stream_count: 2 });

      const ok = run('verify');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toMatch(/audit chain intact: 6 events in 2 streams/);
      expect(ok.stdout).toMatch(/anchored heads match: .*signature valid/);

      // Events after the anchor are covered by the chain until the next anchor.
      await append([event(streamA, 'progress')]);
      expect(run('verify').status).toBe(0);

      // Another key did not sign it.
      const wrong = run('verify', { DUBAN_AUDIT_KEY_FILE: writeKey(dir, 'other.pem') });
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toMatch(/audit anchor INVALID .*not by this key/);
    });

    it('names the last event of a stream rewritten with a recomputed hash by a superuser', async () => {
      const original = await lastOf(streamB);
      const forged = { ...original, data: { note: '篡改' } };
      const hash = eventHash({
        streamType: forged.stream_type,
        streamId: forged.stream_id,
        seq: forged.seq,
        at: forged.at,
        actorId: forged.actor_id,
        type: forged.type,
        fromState: forged.from_state,
        toState: forged.to_state,
        data: forged.data,
        prevHash: forged.prev_hash,
      });
      const rewrite = (data: unknown, newHash: string) =>
        ownerTransaction(t.config.DATABASE_URL, async (c) => {
          await c.query(`SET LOCAL session_replication_role = replica`);
          await c.query(`UPDATE audit_events SET data = $2::jsonb, hash = $3 WHERE id = $1`, [
            original.id,
            JSON.stringify(data),
            newHash,
          ]);
        });
      await rewrite(forged.data, hash);
      try {
        const res = run('verify');
        expect(res.stdout).toMatch(/audit chain intact/); // the chain alone is fooled
        expect(res.status).toBe(1);
        expect(res.stderr).toContain(`at event ${original.id} (task ${streamB}, seq 3)`);
        expect(res.stderr).toMatch(/rewritten/);
      } finally {
        await rewrite(original.data, original.hash);
      }
      expect(run('verify').status).toBe(0);
    });

    it('names the last event of a stream deleted by a superuser, from the file or the table', async () => {
      const victim = await lastOf(streamB);
      await ownerTransaction(t.config.DATABASE_URL, async (c) => {
        await c.query(`SET LOCAL session_replication_role = replica`);
        await c.query(`DELETE FROM audit_events WHERE id = $1`, [victim.id]);
      });
      const res = run('verify');
      expect(res.stdout).toMatch(/audit chain intact/);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`missing event (task ${streamB}, seq 3)`);
      expect(res.stderr).toMatch(/deleted/);
      expect(res.stderr).toContain(`from ${anchorFile}`);

      const fromTable = run('verify', { DUBAN_AUDIT_ANCHOR_FILE: join(dir, 'absent.jsonl') });
      expect(fromTable.status).toBe(1);
      expect(fromTable.stderr).toContain('from table audit_anchors');
      expect(fromTable.stderr).toContain(`seq 3`);
      // Put it back, as it was, for the tests below.
      await ownerTransaction(t.config.DATABASE_URL, (c) =>
        c.query(
          `INSERT INTO audit_events (stream_type, stream_id, seq, at, actor_id, type, from_state,
                                     to_state, data, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
          [
            victim.stream_type,
            victim.stream_id,
            victim.seq,
            victim.at,
            victim.actor_id,
            victim.type,
            victim.from_state,
            victim.to_state,
            JSON.stringify(victim.data),
            victim.prev_hash,
            victim.hash,
          ],
        ),
      );
      expect(run('verify').status).toBe(0);
    });

    it('the service anchors at the clock’s time; two at once are harmless', async () => {
      const service = t.app.get(AuditAnchorService);
      const [a, b] = await Promise.all([service.anchor(), service.anchor()]);
      expect(a?.at).toBe(t.clock.now().toISOString());
      expect(b?.root).toBe(a?.root);
      expect(readFileSync(anchorFile, 'utf8').trim().split('\n')).toHaveLength(3);
      expect(run('verify').status).toBe(0);
    });

    it('lists anchors to system administrators only', async () => {
      const api = new ApiClient(t);
      const admin = await api.adminToken();
      const res = await t
        .http()
        .get('/api/v1/audit/anchors?pageSize=2')
        .auth(admin, { type: 'bearer' })
        .expect(200);
      expect(res.body.total).toBe(3);
      expect(res.body.items).toHaveLength(2);
      expect(res.body.items[0]).toMatchObject({
        streams: 2,
        events: 7,
        root: expect.stringMatching(/^[0-9a-f]{64}$/),
        keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      const org = await api.createOrg(admin, { name: '党委', kind: 'committee' });
      const orgAdmin = await api.createPerson(admin, [{ orgId: org.id, role: 'admin' }]);
      const denied = await t
        .http()
        .get('/api/v1/audit/anchors')
        .auth(orgAdmin.token, { type: 'bearer' })
        .expect(403);
      expect(denied.body.code).toBe('forbidden');
    });
  });
});

describe('without a signing key', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('makes no anchor and warns once; audit:verify still checks the chains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duban-nokey-'));
    const anchorFile = join(dir, 'a.jsonl');
    t = await startTestApp({ DUBAN_AUDIT_ANCHOR_FILE: anchorFile });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const service = t.app.get(AuditAnchorService);
      expect(await service.anchor()).toBeNull();
      expect(await service.anchor()).toBeNull();
      expect(warn.mock.calls.filter((c) => /no audit anchors/.test(String(c[0])))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
    expect(existsSync(anchorFile)).toBe(false);
    assertBuilt();
    const res = spawnSync(process.execPath, [join(CLI, 'verify.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: t.config.DATABASE_URL },
      encoding: 'utf8',
    });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/no audit anchor yet/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the worker anchors on a schedule', () => {
  const processes = new Processes();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    await processes.killAll();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('two workers with the key leave one scheduler; anchors reach the table and the file', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'duban-worker-anchors-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const prefix = testQueuePrefix();
    const anchorFile = join(dir, 'anchors.jsonl');
    const env = cleanEnv({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      DUBAN_JWT_SECRET: 'a-secret-for-anchor-tests-'.padEnd(48, 'x'),
      DUBAN_QUEUE_PREFIX: prefix,
      DUBAN_SHUTDOWN_TIMEOUT_MS: '2000',
      DUBAN_AUDIT_KEY_FILE: writeKey(dir, 'key.pem'),
      DUBAN_AUDIT_ANCHOR_FILE: anchorFile,
      DUBAN_AUDIT_ANCHOR_INTERVAL_MS: '1000',
    });
    const workers = [processes.spawn(WORKER_MAIN, env), processes.spawn(WORKER_MAIN, env)];
    await Promise.all(workers.map((w) => w.waitForOutput(/worker started/, 30_000)));

    const count = () =>
      asOwner(database.url, async (c) =>
        Number((await c.query(`SELECT count(*) AS n FROM audit_anchors`)).rows[0].n),
      );
    await waitFor('two scheduled anchors', async () => ((await count()) >= 2 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 250,
    });
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(AUDIT_QUEUE, { prefix, connection });
    cleanups.push(async () => {
      await queue.close();
      connection.disconnect();
    });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((j) => j.key)).toEqual([AUDIT_ANCHOR_SCHEDULER_ID]);
    await Promise.all(workers.map((w) => w.child.kill('SIGTERM')));
    await Promise.all(workers.map((w) => w.exited));
    const lines = readFileSync(anchorFile, 'utf8').trim().split('\n');
    expect(lines.length).toBe(await count());
  });
});

describe('a separate login for the apps (DUBAN_APP_DATABASE_URL)', () => {
  const login = `duban_login_${randomUUID().slice(0, 8)}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('works as duban_app, and even after leaving that role has no superuser powers', async () => {
    await asOwner(ADMIN_DATABASE_URL, (c) =>
      c.query(`CREATE ROLE ${login} LOGIN IN ROLE duban_app`),
    );
    cleanups.push(() =>
      asOwner(ADMIN_DATABASE_URL, (c) => c.query(`DROP ROLE IF EXISTS ${login}`)),
    );
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const appUrl = new URL(database.url);
    appUrl.username = login;
    // What the platform module builds for the api and worker.
    const db = await createAppDataSource(database.url, 1, appUrl.toString()).initialize();
    cleanups.push(() => db.destroy());
    const [who] = await db.query(`SELECT session_user AS login, current_user AS role`);
    expect(who).toEqual({ login, role: 'duban_app' });
    await expect(db.query(`DELETE FROM audit_events`)).rejects.toThrow(/permission denied/);
    // Leaving the role (SQL injected into the app could) returns to the login, which is no
    // superuser either. (With the owner's login instead, this is where protection would end.)
    await db.query(`SET ROLE NONE`); // pool of one: the same connection throughout
    const [again] = await db.query(`SELECT current_user AS role`);
    expect(again.role).toBe(login);
    await expect(db.query(`SET session_replication_role = replica`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(db.query(`DELETE FROM audit_events`)).rejects.toThrow(/permission denied/);
    await expect(db.query(`ALTER TABLE audit_events DISABLE TRIGGER ALL`)).rejects.toThrow(
      /must be owner/,
    );
  });
});

describe('the anchor webhook (DUBAN_AUDIT_ANCHOR_WEBHOOK_URL)', () => {
  let t: TestApp;
  let server: Server;
  let dir: string;
  const received: { status: number; body: Record<string, unknown> }[] = [];
  let answer = 204;
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts each anchor without its heads; a failing webhook does not lose the anchor', async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ status: answer, body: JSON.parse(body) });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'duban-anchor-hook-'));
    const anchorFile = join(dir, 'a.jsonl');
    t = await startTestApp({
      DUBAN_AUDIT_KEY_FILE: writeKey(dir, 'k.pem'),
      DUBAN_AUDIT_ANCHOR_FILE: anchorFile,
      DUBAN_AUDIT_ANCHOR_WEBHOOK_URL: `http://127.0.0.1:${port}/anchors`,
    });
    const service = t.app.get(AuditAnchorService);
    const first = await service.anchor();
    expect(received).toHaveLength(1);
    expect(received[0].body).toEqual({
      v: 1,
      at: first!.at,
      database: first!.database,
      streams: 0,
      events: 0,
      root: first!.root,
      keyId: first!.keyId,
      signature: first!.signature,
    });
    answer = 500;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      expect(await service.anchor()).not.toBeNull();
      expect(warn.mock.calls.some((c) => /webhook answered 500/.test(String(c[0])))).toBe(true);
    } finally {
      warn.mockRestore();
    }
    expect(received).toHaveLength(2);
    expect(readFileSync(anchorFile, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
