import { randomUUID } from 'node:crypto';
import { TokenService } from '../../apps/api/src/auth/token.service';
import { ADMIN, startTestApp, TestApp } from '../support/test-app';
import { timerBaseline, waitForTimersBelow } from '../support/wait';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
}
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes?: Record<string, { type: string; scheme?: string }>;
    schemas: Record<
      string,
      { required?: string[]; properties: Record<string, { enum?: string[] }> }
    >;
  };
};

/** The endpoints of API.md built so far, with their methods. */
const IMPLEMENTED: [string, string][] = [
  ['post', '/api/v1/auth/login'],
  ['get', '/api/v1/me'],
  ['post', '/api/v1/users'],
  ['post', '/api/v1/orgs'],
  ['get', '/api/v1/orgs/{id}'],
  ['get', '/api/v1/orgs/{id}/children'],
  ['post', '/api/v1/orgs/{orgId}/roles'],
];
// The calendar feed is public: calendar apps cannot send a bearer token; its URL is the secret.
const PUBLIC = new Set([
  'post /api/v1/auth/login',
  'get /health',
  'get /api/v1/calendar-feeds/{token}.ics',
]);

describe('health and API documentation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers GET /health without a token: PostgreSQL, Redis and the queues are up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      checks: {
        postgres: { status: 'up' },
        redis: { status: 'up' },
        queues: { status: 'up' },
      },
    });
    expect(res.body.message).toBeUndefined();
  });

  describe('/api/docs-json', () => {
    let doc: OpenApi;

    beforeAll(async () => {
      const res = await t.http().get('/api/docs-json').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      doc = res.body;
    });

    it('is public and describes every endpoint built so far', () => {
      expect(doc.openapi).toMatch(/^3\./);
      for (const [method, path] of IMPLEMENTED) {
        expect({ path, method, described: Boolean(doc.paths[path]?.[method]) }).toEqual({
          path,
          method,
          described: true,
        });
      }
      expect(doc.paths['/health']?.get).toBeDefined();
    });

    it('declares bearer authentication on every /api/v1 operation but login, and not on health', () => {
      expect(Object.values(doc.components.securitySchemes ?? {})).toContainEqual(
        expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      );
      const scheme = Object.keys(doc.components.securitySchemes ?? {})[0];
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const key = `${method} ${path}`;
          // Other paths (operations endpoints) are held to what the server does, below.
          if (!path.startsWith('/api/v1/') && !PUBLIC.has(key)) continue;
          const secured = (op.security ?? []).some((s) => scheme in s);
          expect({ key, secured }).toEqual({ key, secured: !PUBLIC.has(key) });
        }
      }
    });

    it('matches what the server enforces: secured operations answer 401 without a token', async () => {
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const key = `${method} ${path}`;
          const url = path.replace(/\{[^}]+\}/g, () => randomUUID());
          const req = t.http()[method as 'get' | 'post' | 'put' | 'delete' | 'patch'](url);
          const res = method === 'get' ? await req : await req.send({});
          if (op.security?.length) {
            expect({ key, status: res.status }).toEqual({ key, status: 401 });
          } else {
            expect({ key, unauthorized: res.status === 401 }).toEqual({ key, unauthorized: false });
          }
        }
      }
    });

    it('describes the request bodies the server validates (required fields and enums)', () => {
      const bodySchema = (method: string, path: string) => {
        const ref = doc.paths[path][method].requestBody?.content['application/json'].schema.$ref;
        return doc.components.schemas[ref!.split('/').pop()!];
      };
      const createOrg = bodySchema('post', '/api/v1/orgs');
      expect(createOrg.required?.sort()).toEqual(['kind', 'name']);
      expect(createOrg.properties.kind.enum?.sort()).toEqual(
        ['branch', 'committee', 'general_branch', 'group', 'work_committee'].sort(),
      );
      expect(Object.keys(createOrg.properties).sort()).toEqual(
        ['kind', 'name', 'parentId', 'timeZone'].sort(),
      );
      const assign = bodySchema('post', '/api/v1/orgs/{orgId}/roles');
      expect(assign.required?.sort()).toEqual(['role', 'userId']);
      expect(assign.properties.role.enum?.sort()).toEqual(
        ['admin', 'deputy', 'discipline', 'member', 'secretary', 'supervisor'].sort(),
      );
      const login = bodySchema('post', '/api/v1/auth/login');
      expect(login.required?.sort()).toEqual(['password', 'username']);
      const user = bodySchema('post', '/api/v1/users');
      expect(user.required?.sort()).toEqual(['displayName', 'password', 'username']);
    });
  });

  it('serves Swagger UI as HTML at /api/docs, with its assets', async () => {
    const res = await t.http().get('/api/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<div id="swagger-ui">');
    const scripts = [...res.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const asset = await t.http().get(new URL(src, 'http://x/api/docs').pathname);
      expect({ src, status: asset.status }).toEqual({ src, status: 200 });
    }
  });
});

describe('health when Redis does not answer', () => {
  let t: TestApp;
  let timers: number;

  beforeAll(async () => {
    // BullMQ prints every refused connection of the api's queue with console.error (the queue
    // has no 'error' listener); that is expected here and would bury the test report.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    timers = timerBaseline();
    // Port 1 on loopback: nothing listens there, so every connection is refused at once.
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1/0' });
  });
  afterAll(async () => {
    await t.close();
    // The app's ioredis clients keep retrying until closed; closing them leaves a short timer.
    await waitForTimersBelow(timers);
    jest.restoreAllMocks();
  });

  it('answers 503 naming redis, while PostgreSQL is still up', async () => {
    const res = await t.http().get('/health').expect(503);
    expect(res.body).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/redis/),
      checks: {
        postgres: { status: 'up' },
        redis: { status: 'down', message: expect.any(String) },
      },
    });
    expect(res.body.message).not.toMatch(/postgres/);
    expect(res.body.checks.queues.status).toBe('down');
  });

  it('refuses logins with 503, and still serves the rest of the api that needs only PostgreSQL', async () => {
    // Logins are refused (failed attempts cannot be counted)…
    const login = await t.http().post('/api/v1/auth/login').send(ADMIN).expect(503);
    expect(login.body.code).toBe('login_unavailable');
    // …but a token issued before the outage keeps working.
    const [user]: { id: string; username: string; token_generation: number }[] = await t.db.query(
      `SELECT id, username, token_generation FROM users WHERE username = $1`,
      [ADMIN.username],
    );
    const { accessToken } = t.app
      .get(TokenService)
      .issue(user.id, user.username, user.token_generation);
    await t.http().get('/api/v1/me').auth(accessToken, { type: 'bearer' }).expect(200);
  });
});
