import type { KnownIds, Tokens } from './fuzzer';

async function call(
  baseUrl: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  return { status: res.status, body: parsed };
}

async function must(
  p: Promise<{ status: number; body: Record<string, unknown> }>,
  what: string,
): Promise<Record<string, unknown>> {
  const res = await p;
  if (res.status >= 300)
    throw new Error(`fuzz seed: ${what} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A small world for the fuzzer to aim at, made through the API as a client would: a committee
 * and a branch, a plain member responsible for a measure with a progress report and a pending
 * extension, an uploaded attachment. Returns the tokens and the ids by kind.
 */
export async function seedFuzzWorld(
  baseUrl: string,
  admin: { username: string; password: string },
): Promise<{ tokens: Tokens; ids: KnownIds }> {
  const login = async (username: string, password: string) =>
    (await must(call(baseUrl, null, 'POST', '/api/v1/auth/login', { username, password }), 'login'))
      .accessToken as string;
  const adminToken = await login(admin.username, admin.password);
  const as = (token: string) => ({
    post: (path: string, body: unknown = {}) =>
      must(call(baseUrl, token, 'POST', path, body), path),
    get: (path: string) => must(call(baseUrl, token, 'GET', path), path),
  });
  const a = as(adminToken);
  const suffix = Math.random().toString(36).slice(2, 8);
  const county = await a.post('/api/v1/orgs', { name: `模糊测试县委${suffix}`, kind: 'committee' });
  const branch = await a.post('/api/v1/orgs', {
    name: '第一支部',
    kind: 'branch',
    parentId: county.id,
  });
  const password = 'fuzz-member-password';
  const member = await a.post('/api/v1/users', {
    username: `fuzz-member-${suffix}`,
    displayName: '模糊测试成员',
    password,
  });
  await a.post(`/api/v1/orgs/${String(branch.id)}/roles`, { userId: member.id, role: 'member' });
  const memberToken = await login(`fuzz-member-${suffix}`, password);
  const m = as(memberToken);
  // Problems are raised by a supervisor (or secretary) of the raising committee.
  const supervisor = await a.post('/api/v1/users', {
    username: `fuzz-supervisor-${suffix}`,
    displayName: '模糊测试督查员',
    password,
  });
  await a.post(`/api/v1/orgs/${String(county.id)}/roles`, {
    userId: supervisor.id,
    role: 'supervisor',
  });
  const supervisorToken = await login(`fuzz-supervisor-${suffix}`, password);
  const s = as(supervisorToken);

  const problem = await s.post('/api/v1/problems', {
    title: '模糊测试问题',
    description: '用于模糊测试的整改问题。',
    category: 'organisational_life',
    severity: 'general',
    source: 'quarterly_check',
    orgId: branch.id,
    raisedByOrgId: county.id,
    tasks: [
      {
        measure: '模糊测试整改措施',
        responsibleOrgId: branch.id,
        responsibleUserId: member.id,
        mode: 'deadline',
        dueAt: new Date(Date.now() + 60 * 86400_000).toISOString(),
      },
      {
        measure: '第二项整改措施',
        responsibleOrgId: branch.id,
        responsibleUserId: member.id,
        mode: 'deadline',
        dueAt: new Date(Date.now() + 90 * 86400_000).toISOString(),
      },
    ],
  });
  const tasks = (problem.tasks as { id: string }[]).map((t) => t.id);
  await m.post(`/api/v1/tasks/${tasks[0]}/accept`);
  await m.post(`/api/v1/tasks/${tasks[0]}/progress`, { content: '已完成一半', percent: 50 });
  const extension = await m.post(`/api/v1/tasks/${tasks[0]}/extensions`, {
    newDueAt: new Date(Date.now() + 80 * 86400_000).toISOString(),
    reason: '需等待资金拨付',
  });

  const ids: KnownIds = {
    org: [String(county.id), String(branch.id)],
    user: [String(member.id), String(supervisor.id)],
    problem: [String(problem.id)],
    task: tasks,
    extension: [String(extension.id)],
  };
  // Best effort: an attachment and a notification, if the api makes them.
  const form = new FormData();
  form.append('file', new Blob(['%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n']), '整改.pdf');
  const upload = await fetch(`${baseUrl}/api/v1/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${memberToken}` },
    body: form,
  });
  if (upload.status === 201)
    ids.attachment = [String(((await upload.json()) as { id: string }).id)];
  const notes = await call(baseUrl, memberToken, 'GET', '/api/v1/notifications');
  const items = (notes.body.items as { id: string }[] | undefined) ?? [];
  if (items.length) ids.notification = items.map((n) => n.id);
  const categories = await call(baseUrl, memberToken, 'GET', '/api/v1/categories');
  if (Array.isArray(categories.body as unknown)) {
    ids.category = (categories.body as unknown as { id?: string; code?: string }[]).map((c) =>
      String(c.code ?? c.id),
    );
  }
  return { tokens: { admin: adminToken, member: memberToken, supervisor: supervisorToken }, ids };
}
