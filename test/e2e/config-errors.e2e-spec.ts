import { API_MAIN, assertBuilt, cleanEnv, Processes, WORKER_MAIN } from '../support/processes';

const SECRET = 'a-secret-for-config-tests-'.padEnd(48, 'x');
/** Config is checked before anything connects: a bad value must stop the process at once. */
const EXIT_WITHIN_MS = 10_000;

jest.setTimeout(30_000);

describe('a bad environment stops api and worker at start-up, naming the variable', () => {
  const processes = new Processes();

  beforeAll(() => assertBuilt());
  afterAll(() => processes.killAll());

  async function startWith(entry: string, vars: Record<string, string>) {
    const app = processes.spawn(entry, cleanEnv(vars));
    const exit = await app.exitWithin(EXIT_WITHIN_MS);
    return { ...exit, stderr: app.stderr(), stdout: app.stdout() };
  }

  it.each([
    ['api', API_MAIN],
    ['worker', WORKER_MAIN],
  ])(
    '%s: without DUBAN_JWT_SECRET it exits with code 2 saying what is expected',
    async (_, entry) => {
      const r = await startWith(entry, {});
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Invalid configuration');
      expect(r.stderr).toContain(
        'DUBAN_JWT_SECRET is required: a random secret of at least 32 characters',
      );
      expect(r.stderr).not.toMatch(/\n\s+at .+\.js:\d+/);
    },
  );

  it('api: a secret that is too short is refused the same way', async () => {
    const r = await startWith(API_MAIN, { DUBAN_JWT_SECRET: 'short' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DUBAN_JWT_SECRET is required: a random secret of at least 32/);
  });

  it('api: PORT=abc exits with code 2 asking for a port number', async () => {
    const r = await startWith(API_MAIN, { DUBAN_JWT_SECRET: SECRET, PORT: 'abc' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT must be an integer port number, e.g. 3000');
    expect(r.stderr).not.toMatch(/DUBAN_JWT_SECRET/);
  });

  it('api: PORT out of range is refused', async () => {
    const r = await startWith(API_MAIN, { DUBAN_JWT_SECRET: SECRET, PORT: '70000' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT must be between 0 and 65535');
  });

  it.each([
    ['api', API_MAIN],
    ['worker', WORKER_MAIN],
  ])(
    '%s: DATABASE_URL=mysql://x exits with code 2 asking for a PostgreSQL URL',
    async (_, entry) => {
      const r = await startWith(entry, { DUBAN_JWT_SECRET: SECRET, DATABASE_URL: 'mysql://x' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'DATABASE_URL must be a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/duban',
      );
    },
  );

  it('worker: DUBAN_SWEEP_INTERVAL_MS=7000 exits with code 2 listing the intervals it accepts', async () => {
    const r = await startWith(WORKER_MAIN, {
      DUBAN_JWT_SECRET: SECRET,
      DUBAN_SWEEP_INTERVAL_MS: '7000',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DUBAN_SWEEP_INTERVAL_MS must be whole seconds dividing a minute');
    expect(r.stderr).toMatch(/1000, 2000, 5000, 10000/);
    expect(r.stderr).toContain('got 7000');
  });

  it('worker: a sweep interval below one second is refused', async () => {
    const r = await startWith(WORKER_MAIN, {
      DUBAN_JWT_SECRET: SECRET,
      DUBAN_SWEEP_INTERVAL_MS: '10',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DUBAN_SWEEP_INTERVAL_MS must be at least 1000');
  });

  it('api: every bad variable is named at once, so one restart fixes them all', async () => {
    const r = await startWith(API_MAIN, {
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'http://127.0.0.1:6379',
      DUBAN_LOG_LEVEL: 'loud',
      DUBAN_BODY_LIMIT: 'huge',
      DUBAN_TOKEN_TTL_SECONDS: '5',
    });
    expect(r.code).toBe(2);
    for (const expected of [
      'PORT must be an integer port number',
      'DATABASE_URL must be a PostgreSQL URL',
      'REDIS_URL must be a Redis URL, e.g. redis://127.0.0.1:6379/0',
      'DUBAN_JWT_SECRET is required',
      'DUBAN_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      'DUBAN_BODY_LIMIT must look like 512kb or 1mb',
      'DUBAN_TOKEN_TTL_SECONDS must be at least 60',
    ]) {
      expect(r.stderr).toContain(expected);
    }
  });

  it('api: the first admin needs a long enough password, and both admin variables together', async () => {
    const short = await startWith(API_MAIN, {
      DUBAN_JWT_SECRET: SECRET,
      DUBAN_ADMIN_USERNAME: 'admin',
      DUBAN_ADMIN_PASSWORD: 'short',
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('DUBAN_ADMIN_PASSWORD must be at least 12 characters long');

    const alone = await startWith(API_MAIN, {
      DUBAN_JWT_SECRET: SECRET,
      DUBAN_ADMIN_USERNAME: 'admin',
    });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain(
      'DUBAN_ADMIN_USERNAME and DUBAN_ADMIN_PASSWORD must be set together',
    );
  });
});
