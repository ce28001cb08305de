import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, type TestApp } from '../support/test-app';

type Person = { id: string; token: string };

const HOUR = 3600_000;

const HOURLY_POLICY = {
  remindBefore: ['PT1H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
  ],
};

/**
 * What the workspace needs from the task list: the dashboard's per-level figures open a list
 * filtered by that level, and a task names its people for whoever may see it (a branch member
 * cannot read the roles of the county above, yet sees who verified her work).
 */
describe('task lists by escalation level, and the names of the people on a task', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let county: { id: string };
  let branch: { id: string };
  let supervisor: Person;
  let responsible: Person;
  let leader: Person;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  async function newTask(measure: string, dueInMs: number): Promise<string> {
    const res = await as(supervisor).post('/api/v1/problems', {
      title: `阵地建设不达标：${measure}`,
      description: '党员活动室被挪作他用',
      category: 'facilities_and_funding',
      severity: 'general',
      source: 'roving_check',
      orgId: branch.id,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure,
          responsibleOrgId: branch.id,
          responsibleUserId: responsible.id,
          leaderUserId: leader.id,
          mode: 'deadline',
          dueAt: new Date(t.clock.now().getTime() + dueInMs).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(201);
    return res.body.tasks[0].id;
  }

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    branch = await api.createOrg(admin, { name: '某支部', kind: 'branch', parentId: county.id });
    const secretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'wang.jianguo',
    );
    supervisor = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'supervisor' }],
      'zhang.min',
    );
    responsible = await api.createPerson(admin, [{ orgId: branch.id, role: 'member' }], 'li.hong');
    leader = await api.createPerson(admin, [{ orgId: county.id, role: 'deputy' }], 'chen.jing');
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY)
      .expect(200);
    await engine.sweep();
  });
  afterAll(() => t?.close());

  it('filters GET /tasks by escalationLevel, and refuses a level that is not a number', async () => {
    const late = await newTask('措施甲：晚两级', 2 * HOUR);
    const lateOne = await newTask('措施乙：晚一级', 3 * HOUR + 30 * 60_000);
    const onTime = await newTask('措施丙：未到期', 30 * 24 * HOUR);
    t.clock.advance(3 * HOUR + 5 * 60_000); // late: 1h05 past → 督办; lateOne: past nothing yet
    await engine.sweep();
    await engine.sweep();
    t.clock.advance(30 * 60_000); // lateOne: 5 min past → 催办
    await engine.sweep();
    await engine.sweep();

    const ids = async (query: string) =>
      (await as(supervisor).get(`/api/v1/tasks?${query}`).expect(200)).body.items.map(
        (x: { id: string }) => x.id,
      );
    expect(await ids(`orgId=${county.id}&overdue=true&escalationLevel=2`)).toEqual([late]);
    expect(await ids(`orgId=${county.id}&overdue=true&escalationLevel=1`)).toEqual([lateOne]);
    expect(await ids(`orgId=${county.id}&escalationLevel=0`)).toEqual([onTime]);

    const bad = await as(supervisor).get('/api/v1/tasks?escalationLevel=two');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('escalationLevel');
  });

  it('names the responsible person, the leader and every actor of the timeline', async () => {
    const id = await newTask('措施丁：验收后看得见验收人', 30 * 24 * HOUR);
    await as(responsible).post(`/api/v1/tasks/${id}/accept`).expect(200);
    await as(responsible).post(`/api/v1/tasks/${id}/submit`, { summary: '已完成' }).expect(200);
    await as(supervisor)
      .post(`/api/v1/tasks/${id}/verify`, { passed: false, comment: '缺少签到表，请补充。' })
      .expect(200);

    // The responsible person cannot read the county's roles…
    expect((await as(responsible).get(`/api/v1/orgs/${county.id}/roles`)).status).toBe(404);
    // …yet her task names everyone on it.
    const task = (await as(responsible).get(`/api/v1/tasks/${id}`).expect(200)).body;
    expect(task).toMatchObject({ responsibleUserName: 'li.hong', leaderUserName: 'chen.jing' });
    const listed = (await as(responsible).get(`/api/v1/tasks?problemId=${task.problemId}`)).body;
    expect(listed.items[0]).toMatchObject({ responsibleUserName: 'li.hong' });
    const timeline = (await as(responsible).get(`/api/v1/tasks/${id}/timeline`).expect(200)).body;
    const failed = timeline.find((e: { type: string }) => e.type === 'verification_failed');
    expect(failed).toMatchObject({ actorId: supervisor.id, actorName: 'zhang.min' });
    expect(timeline.find((e: { type: string }) => e.type === 'accepted')).toMatchObject({
      actorName: 'li.hong',
    });
  });
});
