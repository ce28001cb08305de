import { startTestApp, TestApp } from '../support/test-app';

/**
 * The HTTP contract of API.md: clients depend on these names. The OpenAPI document must
 * describe every one of them (and the server must route them: an undocumented route fails too).
 */
const CONTRACT: [method: string, path: string][] = [
  ['post', '/api/v1/auth/login'],
  ['get', '/api/v1/me'],
  ['post', '/api/v1/users'],
  ['post', '/api/v1/orgs/{orgId}/roles'],
  ['post', '/api/v1/orgs'],
  ['get', '/api/v1/orgs/{id}'],
  ['get', '/api/v1/orgs/{id}/children'],
  ['get', '/api/v1/orgs/{orgId}/escalation-policy'],
  ['put', '/api/v1/orgs/{orgId}/escalation-policy'],
  ['post', '/api/v1/problems'],
  ['get', '/api/v1/problems'],
  ['get', '/api/v1/problems/{id}'],
  ['post', '/api/v1/problems/{id}/tasks'],
  ['get', '/api/v1/tasks'],
  ['get', '/api/v1/tasks/{id}'],
  ['post', '/api/v1/tasks/{id}/accept'],
  ['post', '/api/v1/tasks/{id}/progress'],
  ['post', '/api/v1/tasks/{id}/submit'],
  ['post', '/api/v1/tasks/{id}/verify'],
  ['post', '/api/v1/tasks/{id}/close'],
  ['post', '/api/v1/tasks/{id}/reopen'],
  ['post', '/api/v1/tasks/{id}/extensions'],
  ['post', '/api/v1/extensions/{id}/approve'],
  ['post', '/api/v1/extensions/{id}/reject'],
  ['post', '/api/v1/tasks/{id}/checks'],
  ['get', '/api/v1/tasks/{id}/timeline'],
  ['get', '/api/v1/tasks/{id}/escalations'],
  ['post', '/api/v1/attachments'],
  ['get', '/api/v1/attachments/{id}'],
  ['get', '/api/v1/accountability-cases'],
  ['get', '/api/v1/accountability-cases/{id}'],
  ['post', '/api/v1/accountability-cases/{id}/decision'],
  ['get', '/api/v1/notifications'],
  ['post', '/api/v1/notifications/{id}/read'],
  ['get', '/api/v1/me/notification-settings'],
  ['put', '/api/v1/me/notification-settings'],
];

describe('the OpenAPI document covers the API.md contract', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  it.each(CONTRACT)('%s %s is documented with its responses', (method, path) => {
    const operation = doc.paths[path]?.[method];
    expect(operation).toBeDefined();
    expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
  });

  it.each(CONTRACT.filter(([, p]) => p !== '/api/v1/auth/login'))(
    '%s %s answers 401 without a token (so the route exists and is guarded)',
    async (method, path) => {
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await (
        t.http() as unknown as Record<string, (u: string) => Promise<{ status: number }>>
      )[method](url);
      expect(res.status).toBe(401);
    },
  );
});
