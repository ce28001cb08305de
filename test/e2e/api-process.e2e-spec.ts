import { createServer, request } from 'node:http';
import { type AddressInfo, connect, createServer as createNetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_MAIN, assertBuilt, cleanEnv, Processes } from '../support/processes';
import { createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL } from '../support/test-env';

jest.setTimeout(90_000);

const SECRET = 'a-secret-for-process-tests-'.padEnd(48, 'x');

/** A loopback port nothing listens on (bound for a moment, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function getStatus(host: string, port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

/** The compiled api as a process: where it binds, and what it logs while Redis is away. */
describe('the api process', () => {
  const processes = new Processes();
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    assertBuilt();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await processes.killAll();
    await database.drop();
  });

  const env = (vars: Record<string, string>) =>
    cleanEnv({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      DUBAN_JWT_SECRET: SECRET,
      DUBAN_QUEUE_PREFIX: `tproc${process.pid}`,
      PORT: '0',
      ...vars,
    });

  function listening(out: string): { url: string; msg: string } {
    const line = out
      .split('\n')
      .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { url?: string; msg: string }) : null))
      .find((l) => l?.msg.includes('listening on'));
    if (!line?.url) throw new Error(`no "listening on" line in:\n${out}`);
    return { url: line.url, msg: line.msg };
  }

  it('binds 127.0.0.1 by default and says so', async () => {
    const app = processes.spawn(API_MAIN, env({}));
    await app.waitForOutput(/listening on/, 40_000);
    const { url, msg } = listening(app.stdout());
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(msg).toBe(`督办 api listening on ${url}`);
    const port = Number(new URL(url).port);
    expect(await getStatus('127.0.0.1', port, '/health')).toBe(200);
    app.child.kill('SIGTERM');
    await app.exitWithin(20_000);
  });

  it('binds every interface with HOST=0.0.0.0, and the log line tells the truth', async () => {
    const app = processes.spawn(API_MAIN, env({ HOST: '0.0.0.0' }));
    await app.waitForOutput(/listening on/, 40_000);
    const { url, msg } = listening(app.stdout());
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect(msg).toBe(`督办 api listening on ${url} (all interfaces)`);
    app.child.kill('SIGTERM');
    await app.exitWithin(20_000);
  });

  it('logs an unreachable Redis once per connection, not once per retry, and its return once', async () => {
    const port = await closedPort();
    const app = processes.spawn(API_MAIN, env({ REDIS_URL: `redis://127.0.0.1:${port}/0` }));
    await app.waitForOutput(/listening on/, 40_000);
    await sleep(8000);
    const output = app.stdout() + app.stderr();
    expect(output).not.toMatch(/Unhandled error event/);
    const redisLines = output.split('\n').filter((l) => /redis|ECONNREFUSED/i.test(l));
    expect(redisLines.length).toBeGreaterThanOrEqual(1);
    expect(redisLines.length).toBeLessThanOrEqual(3);
    expect(redisLines.every((l) => /unreachable/.test(l))).toBe(true);
    // Meanwhile logins are refused: failed attempts cannot be counted.
    const { url } = listening(app.stdout());
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'whatever-it-is' }),
    });
    expect(login.status).toBe(503);
    expect(((await login.json()) as { code: string }).code).toBe('login_unavailable');

    // Redis comes back (a loopback relay to the real one, on the port that was closed): one
    // line per connection says so, and logins work again.
    const redis = new URL(TEST_REDIS_URL);
    const relay = createNetServer((client) => {
      const upstream = connect(Number(redis.port || 6379), redis.hostname);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    try {
      await app.waitForOutput(/reachable again/, 15_000);
      await sleep(3000);
      const back = app
        .stdout()
        .split('\n')
        .filter((l) => /reachable again/.test(l));
      expect(back.length).toBeGreaterThanOrEqual(1);
      expect(back.length).toBeLessThanOrEqual(3);
      const again = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody-here', password: 'whatever-it-is' }),
      });
      expect(again.status).toBe(401);
    } finally {
      app.child.kill('SIGTERM');
      await app.exitWithin(20_000);
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });
});
