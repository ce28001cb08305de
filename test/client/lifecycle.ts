// A committee's own script, as docs/api.md describes it: the whole life of a rectification
// measure driven through the typed client generated from the OpenAPI document (openapi-fetch +
// the types `npm run build` writes to apps/web/src/generated/api.ts). Nothing here is typed by
// hand: a path, a body field or an answer's field that the document does not have is a compile
// error (test/e2e/typed-client.e2e-spec.ts compiles this file against the served document).
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../apps/web/src/generated/api';

export type DubanClient = Client<paths>;

/** A client for `baseUrl` (e.g. http://127.0.0.1:3000) that sends `token` as the bearer. */
export function dubanClient(baseUrl: string, token?: string): DubanClient {
  const client = createClient<paths>({ baseUrl });
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}

/** What the run saw, for whoever runs it to check (the test asserts on it). */
export interface LifecycleReport {
  taskId: string;
  /** The task's state after each step, in order. */
  states: string[];
  /** The refusal of a self-verification: the error body's `code` and `message`, typed. */
  refusal: { status: number; code: string; message: string };
  /** An unknown task, read: the error body of the 404. */
  missing: { status: number; code: string };
  /** The types of the task's timeline events, oldest first. */
  timeline: string[];
}

/** Stops the script with the API's own words when a step the script needs is refused. */
function need<T>(
  step: string,
  answer: { data?: T; error?: { code: string; message: string }; response: Response },
): T {
  if (answer.error || answer.data === undefined) {
    const e = answer.error;
    throw new Error(`${step}: ${answer.response.status} ${e ? `${e.code} ${e.message}` : ''}`);
  }
  return answer.data;
}

/**
 * Sets up a county committee and one of its branches, raises a problem with one measure, and
 * takes the measure from 签收 to 销号. On the way, the branch's secretary, who is also a county
 * supervisor and worked on the measure, tries to verify it and is refused (conflict_of_interest).
 */
export async function runLifecycle(
  baseUrl: string,
  admin: { username: string; password: string },
  now: Date,
): Promise<LifecycleReport> {
  const anonymous = dubanClient(baseUrl);
  const login = async (username: string, password: string) =>
    need(
      `login ${username}`,
      await anonymous.POST('/api/v1/auth/login', { body: { username, password } }),
    ).accessToken;
  const root = dubanClient(baseUrl, await login(admin.username, admin.password));

  const county = need(
    'county',
    await root.POST('/api/v1/orgs', { body: { name: '示范县委', kind: 'committee' } }),
  );
  const branch = need(
    'branch',
    await root.POST('/api/v1/orgs', {
      body: { name: '示范支部', kind: 'branch', parentId: county.id },
    }),
  );

  const suffix = now.getTime().toString(36);
  const person = async (
    name: string,
    roles: { orgId: string; role: 'secretary' | 'supervisor' | 'member' }[],
  ) => {
    const username = `${name}-${suffix}`;
    const password = 'a-long-password-1';
    const user = need(
      `user ${name}`,
      await root.POST('/api/v1/users', { body: { username, displayName: name, password } }),
    );
    for (const { orgId, role } of roles) {
      need(
        `role ${name}`,
        await root.POST('/api/v1/orgs/{orgId}/roles', {
          params: { path: { orgId } },
          body: { userId: user.id, role },
        }),
      );
    }
    return { id: user.id, client: dubanClient(baseUrl, await login(username, password)) };
  };
  const secretary = await person('county-secretary', [{ orgId: county.id, role: 'secretary' }]);
  const supervisor = await person('county-supervisor', [{ orgId: county.id, role: 'supervisor' }]);
  const dual = await person('branch-secretary', [
    { orgId: branch.id, role: 'secretary' },
    { orgId: county.id, role: 'supervisor' },
  ]);
  const responsible = await person('branch-member', [{ orgId: branch.id, role: 'member' }]);

  const problem = need(
    'problem',
    await supervisor.client.POST('/api/v1/problems', {
      body: {
        title: '示范支部未按规定开展“三会一课”',
        description: '支部党员大会、支委会会议记录缺失，党课未按计划开展。',
        category: 'organisational_life',
        severity: 'serious',
        source: 'quarterly_check',
        orgId: branch.id,
        raisedByOrgId: county.id,
        tasks: [
          {
            measure: '制定“三会一课”年度计划，逐月落实并建立会议记录台账',
            responsibleOrgId: branch.id,
            responsibleUserId: responsible.id,
            mode: 'deadline',
            dueAt: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
          },
        ],
      },
    }),
  );
  const taskId = problem.tasks[0].id;
  const task = { params: { path: { id: taskId } } };
  const states: string[] = [problem.tasks[0].state];

  // 签收 needs no body; progress and submission say what was done.
  states.push(need('accept', await dual.client.POST('/api/v1/tasks/{id}/accept', task)).state);
  states.push(
    need(
      'progress',
      await dual.client.POST('/api/v1/tasks/{id}/progress', {
        ...task,
        body: { content: '已制定年度计划', percent: 50 },
      }),
    ).state,
  );
  states.push(
    need(
      'submit',
      await responsible.client.POST('/api/v1/tasks/{id}/submit', {
        ...task,
        body: { summary: '已建立会议记录台账' },
      }),
    ).state,
  );

  // Judging one's own work is refused: the error body is typed, `code` included.
  const refused = await dual.client.POST('/api/v1/tasks/{id}/verify', {
    ...task,
    body: { passed: true },
  });
  if (!refused.error) throw new Error('self-verification was not refused');
  const refusal = {
    status: refused.response.status,
    code: refused.error.code,
    message: refused.error.message,
  };

  const read = need('read', await supervisor.client.GET('/api/v1/tasks/{id}', task));
  states.push(
    need(
      'verify',
      await supervisor.client.POST('/api/v1/tasks/{id}/verify', {
        ...task,
        headers: { 'If-Match': String(read.version) },
        body: { passed: true, comment: '台账齐全，同意验收' },
      }),
    ).state,
  );
  states.push(
    need(
      'close',
      await secretary.client.POST('/api/v1/tasks/{id}/close', {
        ...task,
        body: { comment: '同意销号' },
      }),
    ).state,
  );

  const gone = await supervisor.client.GET('/api/v1/tasks/{id}', {
    params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
  });
  const missing = { status: gone.response.status, code: gone.error?.code ?? '' };

  const timeline = need(
    'timeline',
    await supervisor.client.GET('/api/v1/tasks/{id}/timeline', task),
  ).map((event) => event.type);

  return { taskId, states, refusal, missing, timeline };
}
