import { ConfigError, loadConfig, trustProxySetting } from './app-config';

const secret = 'x'.repeat(32);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ DUBAN_JWT_SECRET: secret });
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/duban');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
    expect(config.DUBAN_SWEEP_INTERVAL_MS).toBe(60000);
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('converts numeric variables', () => {
    expect(loadConfig({ DUBAN_JWT_SECRET: secret, PORT: '8080' }).PORT).toBe(8080);
  });

  it('names each bad variable and what is expected', () => {
    const problems = problemsOf({
      DUBAN_JWT_SECRET: secret,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      DUBAN_SWEEP_INTERVAL_MS: '10',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT must be an integer/),
        expect.stringMatching(/^DATABASE_URL must be a PostgreSQL URL/),
        expect.stringMatching(/^DUBAN_SWEEP_INTERVAL_MS must be at least 1000/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('requires the token secret', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^DUBAN_JWT_SECRET is required/)]);
    expect(problemsOf({ DUBAN_JWT_SECRET: 'short' })).toEqual([
      expect.stringMatching(/^DUBAN_JWT_SECRET is required: a random secret of at least 32/),
    ]);
  });

  it('wants the admin username and password together', () => {
    expect(problemsOf({ DUBAN_JWT_SECRET: secret, DUBAN_ADMIN_USERNAME: 'admin' })).toEqual([
      expect.stringMatching(/must be set together/),
    ]);
    expect(
      problemsOf({
        DUBAN_JWT_SECRET: secret,
        DUBAN_ADMIN_USERNAME: 'admin',
        DUBAN_ADMIN_PASSWORD: 'short',
      }),
    ).toEqual(['DUBAN_ADMIN_PASSWORD must be at least 12 characters long']);
  });

  it('binds to loopback unless HOST says otherwise', () => {
    expect(loadConfig({ DUBAN_JWT_SECRET: secret }).HOST).toBe('127.0.0.1');
    expect(loadConfig({ DUBAN_JWT_SECRET: secret, HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    expect(loadConfig({ DUBAN_JWT_SECRET: secret, HOST: '::' }).HOST).toBe('::');
    expect(problemsOf({ DUBAN_JWT_SECRET: secret, HOST: 'http://x/' })).toEqual([
      expect.stringMatching(/^HOST must be an address/),
    ]);
  });

  it('trusts no proxy unless DUBAN_TRUST_PROXY names one', () => {
    expect(trustProxySetting(loadConfig({ DUBAN_JWT_SECRET: secret }).DUBAN_TRUST_PROXY)).toBe(
      false,
    );
    for (const [value, setting] of [
      ['1', 1],
      ['loopback', ['loopback']],
      ['loopback, 10.0.0.0/8,fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
    ] as const) {
      const config = loadConfig({ DUBAN_JWT_SECRET: secret, DUBAN_TRUST_PROXY: value });
      expect(trustProxySetting(config.DUBAN_TRUST_PROXY)).toEqual(setting);
    }
    for (const bad of ['yes please', 'loopback;rm', '*']) {
      expect(problemsOf({ DUBAN_JWT_SECRET: secret, DUBAN_TRUST_PROXY: bad })).toEqual([
        expect.stringMatching(/^DUBAN_TRUST_PROXY must be a hop count/),
      ]);
    }
  });

  it('reads the audit anchor settings: optional key, file and webhook, an hourly default', () => {
    const config = loadConfig({ DUBAN_JWT_SECRET: secret });
    expect(config.DUBAN_AUDIT_KEY_FILE).toBeUndefined();
    expect(config.DUBAN_AUDIT_ANCHOR_FILE).toBe('.local/audit-anchors.jsonl');
    expect(config.DUBAN_AUDIT_ANCHOR_INTERVAL_MS).toBe(3600_000);
    expect(config.DUBAN_APP_DATABASE_URL).toBeUndefined();
    const set = loadConfig({
      DUBAN_JWT_SECRET: secret,
      DUBAN_AUDIT_KEY_FILE: '/etc/duban/audit-key.pem',
      DUBAN_APP_DATABASE_URL: 'postgres://duban_login@db/duban',
    });
    expect(set.DUBAN_AUDIT_KEY_FILE).toBe('/etc/duban/audit-key.pem');
    expect(set.DUBAN_APP_DATABASE_URL).toBe('postgres://duban_login@db/duban');
    expect(
      problemsOf({
        DUBAN_JWT_SECRET: secret,
        DUBAN_AUDIT_ANCHOR_INTERVAL_MS: '10',
        DUBAN_AUDIT_ANCHOR_WEBHOOK_URL: 'ftp://x',
        DUBAN_APP_DATABASE_URL: 'mysql://x',
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DUBAN_AUDIT_ANCHOR_INTERVAL_MS must be at least 1000/),
        expect.stringMatching(/^DUBAN_AUDIT_ANCHOR_WEBHOOK_URL must be an http/),
        expect.stringMatching(/^DUBAN_APP_DATABASE_URL must be a PostgreSQL URL/),
      ]),
    );
  });
});
