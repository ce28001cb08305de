import { startTestApp, TestApp } from '../support/test-app';
import { ApiClient } from '../support/api-client';

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

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
};
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: Record<string, string[]>[];
}
interface Document {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function operationsOf(doc: Document): [method: string, path: string, op: Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => OPERATION_METHODS.includes(m))
      .map(([m, op]): [string, string, Operation] => [m, path, op]),
  );
}

/** A tiny structural validator for the subset of JSON Schema ErrorBody uses. */
function violations(value: unknown, schema: Schema, doc: Document, at = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return violations(value, doc.components.schemas[name], doc, at);
  }
  if (schema.allOf) return schema.allOf.flatMap((s) => violations(value, s, doc, at));
  const typeOk: Record<string, (v: unknown) => boolean> = {
    object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    array: Array.isArray,
    string: (v) => typeof v === 'string',
    integer: (v) => Number.isInteger(v),
    number: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
  };
  if (schema.type && !typeOk[schema.type]?.(value)) return [`${at} is not ${schema.type}`];
  const out: string[] = [];
  if (schema.type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) out.push(`${at}.${r} is missing`);
    for (const [k, s] of Object.entries(schema.properties ?? {}))
      if (k in obj) out.push(...violations(obj[k], s, doc, `${at}.${k}`));
  }
  if (schema.type === 'array' && schema.items)
    (value as unknown[]).forEach((v, i) =>
      out.push(...violations(v, schema.items!, doc, `${at}[${i}]`)),
    );
  return out;
}

/** Error responses whose body is not an ErrorBody: /health's 503 is its report. */
const OWN_ERROR_BODIES: Record<string, string> = {
  'get /health 503': '#/components/schemas/HealthResponse',
};

const PUBLIC = [
  'post /api/v1/auth/login',
  'get /health',
  'get /metrics',
  'get /api/v1/calendar-feeds/{token}.ics',
];

describe('the OpenAPI document tells the truth about errors', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('has one ErrorBody schema component with the fields of the real body', () => {
    const body = doc.components.schemas.ErrorBody;
    expect(body.required).toEqual(['statusCode', 'error', 'message', 'code']);
    expect(Object.keys(body.properties!)).toEqual([
      'statusCode',
      'error',
      'message',
      'code',
      'errors',
    ]);
    expect(Object.keys(body.properties!.errors.items!.properties!).sort()).toEqual([
      'code',
      'field',
      'message',
    ]);
  });

  it('gives every 4xx/5xx response of every operation the ErrorBody schema as application/json', () => {
    const missing: string[] = [];
    let count = 0;
    for (const [method, path, op] of operationsOf(doc)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^[45]/.test(status)) continue;
        count++;
        const schema = response.content?.['application/json']?.schema;
        // ErrorBody itself, or an operation's own body that extends it (allOf).
        const ref = schema?.allOf?.[0]?.$ref ?? schema?.$ref;
        const key = `${method} ${path} ${status}`;
        if (ref !== (OWN_ERROR_BODIES[key] ?? '#/components/schemas/ErrorBody'))
          missing.push(`${key} ${ref}`);
      }
    }
    expect(count).toBeGreaterThan(174);
    expect(missing).toEqual([]);
  });

  it('lists on every operation the statuses every operation can return', () => {
    const missing: string[] = [];
    for (const [method, path, op] of operationsOf(doc)) {
      const open = PUBLIC.includes(`${method} ${path}`);
      const expected = ['400', '503'];
      if (!open) expected.push('401', '403');
      if (path.includes('{')) expected.push('404');
      if (!open && ['post', 'put', 'patch', 'delete'].includes(method)) expected.push('409');
      if (['post', 'put', 'patch'].includes(method)) expected.push('413', '415');
      if (`${method} ${path}` === 'post /api/v1/auth/login') expected.push('429');
      for (const s of expected) if (!op.responses[s]) missing.push(`${method} ${path} ${s}`);
    }
    expect(missing).toEqual([]);
  });

  it('requires a bearer token on every operation but login, health, metrics and the feed', () => {
    const wrong: string[] = [];
    for (const [method, path, op] of operationsOf(doc)) {
      const expected = PUBLIC.includes(`${method} ${path}`) ? [] : [{ bearer: [] }];
      if (JSON.stringify(op.security) !== JSON.stringify(expected)) wrong.push(`${method} ${path}`);
    }
    expect(wrong).toEqual([]);
    for (const p of PUBLIC)
      expect(operationsOf(doc).map(([m, path]) => `${m} ${path}`)).toContain(p);
    expect(doc.servers).toEqual([{ url: '/' }]);
  });

  it('is right about security: without a token, every bearer operation is a 401, no public one', async () => {
    const wrong: string[] = [];
    for (const [method, path, op] of operationsOf(doc)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await (
        t.http() as unknown as Record<string, (u: string) => Promise<{ status: number }>>
      )[method](url);
      const guarded = (op.security ?? []).length > 0;
      if (guarded !== (res.status === 401)) wrong.push(`${method} ${path} ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('provoked errors (400, 401, 403, 404, 409) validate against their documented schema', async () => {
    const api = new ApiClient(t);
    const admin = await api.adminToken();
    const nobody = await api.createPerson(admin, []);
    const missingId = '00000000-0000-4000-8000-000000000000';
    const provoked: [
      method: string,
      path: string,
      status: number,
      res: { status: number; body: unknown },
    ][] = [
      [
        'post',
        '/api/v1/orgs',
        400,
        await t.http().post('/api/v1/orgs').auth(admin, { type: 'bearer' }).send({}),
      ],
      ['get', '/api/v1/me', 401, await t.http().get('/api/v1/me')],
      [
        'post',
        '/api/v1/users',
        403,
        await t
          .http()
          .post('/api/v1/users')
          .auth(nobody.token, { type: 'bearer' })
          .send({ username: 'x-someone', displayName: 'x', password: 'a-long-password-1' }),
      ],
      [
        'get',
        '/api/v1/orgs/{id}',
        404,
        await t.http().get(`/api/v1/orgs/${missingId}`).auth(admin, { type: 'bearer' }),
      ],
      [
        'post',
        '/api/v1/users',
        409,
        await t
          .http()
          .post('/api/v1/users')
          .auth(admin, { type: 'bearer' })
          .send({ username: nobody.username, displayName: 'again', password: 'a-long-password-1' }),
      ],
    ];
    for (const [method, path, status, res] of provoked) {
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      const schema =
        doc.paths[path][method].responses[String(status)]?.content?.['application/json']?.schema;
      expect(schema).toBeDefined();
      expect({ method, path, status, violations: violations(res.body, schema!, doc) }).toEqual({
        method,
        path,
        status,
        violations: [],
      });
      expect((res.body as { statusCode: number }).statusCode).toBe(status);
    }
    // The 400 names its fields.
    expect((provoked[0][3].body as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
  });
});

type RequestSchema = Omit<Schema, 'properties'> & {
  properties?: Record<string, RequestSchema>;
  title?: string;
  format?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  oneOf?: (RequestSchema & { not?: unknown })[];
};
interface RequestDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { required?: boolean; content: Record<string, { schema: RequestSchema }> };
        responses: Record<string, { content?: Record<string, { schema?: RequestSchema }> }>;
      }
    >
  >;
  components: { schemas: Record<string, RequestSchema> };
}

describe('the OpenAPI document tells the truth about requests and content types', () => {
  let t: TestApp;
  let doc: RequestDocument;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/api/docs-json').expect(200)).body;
    admin = await new ApiClient(t).adminToken();
  });
  afterAll(() => t.close());

  const bodyOf = (method: string, path: string) => doc.paths[path][method].requestBody;

  it('requires a body only where the server needs one', async () => {
    // accept needs no body; a problem does.
    expect(bodyOf('post', '/api/v1/tasks/{id}/accept')?.required).toBe(false);
    expect(bodyOf('post', '/api/v1/problems')?.required).toBe(true);
    // Every body the document calls optional is one the server accepts when left out: an
    // empty POST is not refused as invalid (the unknown id answers 404 instead).
    const missing = '00000000-0000-4000-8000-000000000000';
    const refused: string[] = [];
    let optional = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of ['post', 'put', 'patch']) {
        const body = item[method]?.requestBody;
        if (!body || body.required !== false) continue;
        optional++;
        const url = path.replace(/\{[^}]+\}/g, missing);
        type Send = (u: string) => { auth: (tk: string, o: object) => Promise<{ status: number }> };
        const send = (t.http() as unknown as Record<string, Send>)[method];
        const res = await send(url).auth(admin, { type: 'bearer' });
        if (res.status === 400) refused.push(`${method} ${path}`);
      }
    }
    expect(optional).toBeGreaterThanOrEqual(5);
    expect(refused).toEqual([]);
  });

  it('states the validation rules: lengths, formats and enums', () => {
    const s = doc.components.schemas;
    expect(s.CreateProblemRequest.properties!.title).toMatchObject({
      minLength: 1,
      maxLength: 200,
    });
    expect(s.CreateTaskRequest.properties!.responsibleOrgId).toMatchObject({ format: 'uuid' });
    expect(s.CreateTaskRequest.properties!.dueDate).toMatchObject({ format: 'date' });
    expect(s.CreateTaskRequest.properties!.dueAt).toMatchObject({ format: 'date-time' });
    expect(s.CreateTaskRequest.properties!.mode.enum).toEqual([
      'immediate',
      'deadline',
      'standing',
    ]);
  });

  it('says with oneOf which of dueDate and dueAt each mode takes', async () => {
    const oneOf = doc.components.schemas.CreateTaskRequest.oneOf!;
    expect(oneOf.map((o) => o.title)).toEqual(['dueDate', 'dueAt', 'standing']);
    expect(oneOf[0].required).toEqual(['dueDate']);
    expect(oneOf[1].required).toEqual(['dueAt']);
    expect(oneOf[2].properties!.mode.enum).toEqual(['standing']);
    // The server agrees: a deadline without either, or with both, is a 400; standing with one too.
    const api = new ApiClient(t);
    const org = await api.createOrg(admin, { name: '契约县委', kind: 'committee' });
    const sup = await api.createPerson(admin, [{ orgId: org.id, role: 'supervisor' }]);
    const post = (task: object) =>
      t
        .http()
        .post('/api/v1/problems')
        .auth(sup.token, { type: 'bearer' })
        .send({
          title: '契约测试',
          description: '',
          category: 'organisational_life',
          severity: 'general',
          source: 'quarterly_check',
          orgId: org.id,
          raisedByOrgId: org.id,
          tasks: [
            { measure: '整改', responsibleOrgId: org.id, responsibleUserId: sup.id, ...task },
          ],
        });
    expect((await post({ mode: 'deadline' })).status).toBe(400);
    expect(
      (await post({ mode: 'deadline', dueDate: '2099-01-01', dueAt: '2099-01-01T00:00:00Z' }))
        .status,
    ).toBe(400);
    expect((await post({ mode: 'standing', dueDate: '2099-01-01' })).status).toBe(400);
    expect((await post({ mode: 'standing' })).status).toBe(201);
    expect((await post({ mode: 'deadline', dueDate: '2099-01-01' })).status).toBe(201);
  });

  it('names the real content types: an attachment in its detected type, files as bytes', async () => {
    const download = doc.paths['/api/v1/attachments/{id}'].get.responses['200'].content!;
    // The server sends what it detected, whatever the client claimed: a documented type.
    const up = await t
      .http()
      .post('/api/v1/attachments')
      .auth(admin, { type: 'bearer' })
      .attach('file', Buffer.from('整改台账：已逐月建立\n'), {
        filename: 'note.txt',
        contentType: 'application/octet-stream',
      })
      .expect(201);
    const got = await t
      .http()
      .get(`/api/v1/attachments/${up.body.id}`)
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(got.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(Object.keys(download)).toContain(got.headers['content-type']);
    expect(Object.keys(download)).toEqual(
      expect.arrayContaining(['application/pdf', 'image/png', 'text/plain; charset=utf-8']),
    );
    expect(Object.keys(download)).not.toContain('application/octet-stream');
    const ledger = doc.paths['/api/v1/reports/ledger'].get.responses['200'].content!;
    expect(ledger['text/csv'].schema).toMatchObject({ type: 'string' });
    const circular = doc.paths['/api/v1/reports/circular'].get.responses['200'].content!;
    expect(
      circular['application/vnd.openxmlformats-officedocument.wordprocessingml.document'].schema,
    ).toEqual({ type: 'string', format: 'binary' });
    expect(bodyOf('post', '/api/v1/attachments')!.content['multipart/form-data']).toBeDefined();
  });
});
