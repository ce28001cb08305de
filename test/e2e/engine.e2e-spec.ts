import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

const HOUR = 3600_000;

/** A ladder in hours so a test can walk it by moving the clock. */
const HOURLY_POLICY = {
  remindBefore: ['PT2H', 'PT1H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT2H', notify: ['secretary', 'superior', 'leader'] },
    { level: 4, name: '问责', after: 'PT3H', notify: ['discipline', 'secretary'] },
  ],
};

describe('the supervision engine: reminders, the ladder and accountability', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let county: { id: string };
  let branch: { id: string };
  let secretary: Person;
  let supervisor: Person;
  let discipline: Person;
  let branchSecretary: Person;
  let responsible: Person;
  let leader: Person;
  let outsider: Person;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  async function newTask(dueInMs: number): Promise<string> {
    const res = await as(supervisor).post('/api/v1/problems', {
      title: '阵地建设不达标',
      description: '党员活动室被挪作他用',
      category: 'facilities_and_funding',
      severity: 'general',
      source: 'roving_check',
      orgId: branch.id,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure: '恢复党员活动室功能',
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

  const levels = async (taskId: string) =>
    (await as(secretary).get(`/api/v1/tasks/${taskId}/escalations`).expect(200)).body.map(
      (e: { level: number }) => e.level,
    );

  const inbox = async (p: Person, kind: string) =>
    (await as(p).get('/api/v1/notifications?pageSize=200').expect(200)).body.items.filter(
      (n: { kind: string }) => n.kind === kind,
    );

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    branch = await api.createOrg(admin, { name: '某支部', kind: 'branch', parentId: county.id });
    secretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'secretary',
    );
    supervisor = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'supervisor' }],
      'supervisor',
    );
    discipline = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'discipline' }],
      'discipline',
    );
    branchSecretary = await api.createPerson(
      admin,
      [{ orgId: branch.id, role: 'secretary' }],
      'branch-sec',
    );
    responsible = await api.createPerson(
      admin,
      [{ orgId: branch.id, role: 'member' }],
      'responsible',
    );
    leader = await api.createPerson(admin, [{ orgId: county.id, role: 'member' }], 'leader');
    outsider = await api.createPerson(admin, [], 'outsider');
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY)
      .expect(200);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way
  });
  afterAll(() => t.close());

  it('validates a policy on PUT, naming each bad field', async () => {
    const bad = await as(secretary).put(`/api/v1/orgs/${county.id}/escalation-policy`, {
      remindBefore: ['P1D'],
      steps: [
        { level: 1, name: '催办', after: 'PT2H', notify: ['responsible'] },
        { level: 3, name: '督办', after: 'PT1H', notify: ['mayor'] },
      ],
    });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['steps[1].level', 'steps[1].notify[0]']));
    expect(
      (await as(responsible).put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY))
        .status,
    ).toBe(404);
    const got = await as(branchSecretary)
      .get(`/api/v1/orgs/${branch.id}/escalation-policy`)
      .expect(200);
    expect(got.body).toMatchObject({ inheritedFromOrgId: county.id, steps: HOURLY_POLICY.steps });
  });

  it('fires each reminder and step in order, never early, exactly once, and opens one case at the end', async () => {
    const taskId = await newTask(3 * HOUR);
    await as(responsible).post(`/api/v1/tasks/${taskId}/accept`).expect(200);
    await engine.sweep();
    expect(await levels(taskId)).toEqual([]);

    t.clock.advance(HOUR + 1000); // 2h before the deadline: the first reminder
    await engine.sweep();
    expect(await inbox(responsible, 'reminder')).toHaveLength(1);
    const jobs = await engine.sweep();
    expect(jobs.filter((j) => j.name === 'task-timers')).toHaveLength(0); // nothing more is due

    t.clock.advance(2 * HOUR); // just past the deadline: the second reminder, then 催办
    const dueJobs = await engine.claim();
    await engine.run(dueJobs);
    await engine.run(dueJobs); // the same job delivered twice changes nothing
    expect(await levels(taskId)).toEqual([1]);
    expect((await inbox(responsible, 'reminder')).length).toBeLessThanOrEqual(2);
    expect(await inbox(leader, 'escalation')).toHaveLength(1);
    expect((await as(responsible).get(`/api/v1/tasks/${taskId}`)).body).toMatchObject({
      light: 'red',
      escalationLevel: 1,
    });

    t.clock.advance(HOUR - 2000); // not yet 督办
    await engine.sweep();
    expect(await levels(taskId)).toEqual([1]);
    t.clock.advance(2000);
    await engine.sweep();
    expect(await levels(taskId)).toEqual([1, 2]);
    expect(await inbox(branchSecretary, 'escalation')).toHaveLength(1);

    t.clock.advance(2 * HOUR);
    await engine.sweep();
    await engine.sweep();
    expect(await levels(taskId)).toEqual([1, 2, 3, 4]);
    const timeline = (await as(secretary).get(`/api/v1/tasks/${taskId}/timeline`)).body.map(
      (e: { type: string }) => e.type,
    );
    expect(timeline).toEqual(expect.arrayContaining(['escalated', 'talk_due']));

    const cases = await as(discipline).get(`/api/v1/accountability-cases?state=open`).expect(200);
    const mine = cases.body.items.filter((c: { taskId: string }) => c.taskId === taskId);
    expect(mine).toHaveLength(1);
    expect(mine[0].subjectUserIds).toEqual(
      expect.arrayContaining([responsible.id, leader.id, branchSecretary.id]),
    );
    expect(await inbox(discipline, 'accountability_opened')).toHaveLength(1);
    // At 问责 each person gets one notice, not two: discipline inspection the case notice, the
    // subjects theirs, and the step's notice goes to nobody who already has one of those.
    const stepFour = async (p: Person) =>
      (await inbox(p, 'escalation')).filter((n: { data: { level: number } }) => n.data.level === 4);
    expect(await stepFour(discipline)).toHaveLength(0);
    expect(await stepFour(branchSecretary)).toHaveLength(0);
    for (const subject of [responsible, leader, branchSecretary]) {
      const told = await inbox(subject, 'case_opened_subject');
      expect(told).toHaveLength(1);
      expect(told[0].title).toContain('恢复党员活动室功能');
    }
    const record = (await as(secretary).get(`/api/v1/tasks/${taskId}/escalations`)).body.find(
      (e: { level: number }) => e.level === 4,
    );
    expect(record.notified).toEqual(expect.arrayContaining([discipline.id, branchSecretary.id]));

    // Time going on opens nothing more.
    t.clock.advance(24 * HOUR);
    await engine.sweep();
    const again = await as(discipline).get(`/api/v1/accountability-cases`).expect(200);
    expect(again.body.items.filter((c: { taskId: string }) => c.taskId === taskId)).toHaveLength(1);
  });

  it('a policy change never sends a reminder whose moment has passed: it is recorded as skipped', async () => {
    const taskId = await newTask(3 * HOUR);
    await engine.sweep();
    t.clock.advance(3 * HOUR + 1000); // past the deadline: 催办
    await engine.sweep();
    expect(await levels(taskId)).toEqual([1]);
    const reminders = (await inbox(responsible, 'reminder')).length;
    const effects = async () =>
      (await t.db.query(`SELECT effect_key, superseded FROM task_effects WHERE task_id = $1`, [
        taskId,
      ])) as { effect_key: string; superseded: boolean }[];
    const before = (await effects()).length;

    // A new reminder 30 minutes before the deadline, which is long behind.
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, {
        ...HOURLY_POLICY,
        remindBefore: [...HOURLY_POLICY.remindBefore, 'PT30M'],
      })
      .expect(200);
    t.clock.advance(1000);
    await engine.sweep();
    await engine.sweep();
    expect((await inbox(responsible, 'reminder')).length).toBe(reminders);
    const added = (await effects()).slice(before);
    expect(added).toEqual([{ effect_key: expect.stringMatching(/^reminder:/), superseded: true }]);
    expect(await levels(taskId)).toEqual([1]);
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/escalation-policy`, HOURLY_POLICY)
      .expect(200);
  });

  it('catches up after downtime: each missed step once, in order', async () => {
    const taskId = await newTask(HOUR);
    await engine.sweep();
    t.clock.advance(10 * HOUR); // the workers were down across every step
    await engine.sweep();
    const steps = (await as(secretary).get(`/api/v1/tasks/${taskId}/escalations`).expect(200)).body;
    expect(steps.map((s: { level: number }) => s.level)).toEqual([1, 2, 3, 4]);
    const planned = steps.map((s: { plannedAt: string }) => s.plannedAt);
    expect([...planned].sort()).toEqual(planned);
    // The stale reminders were recorded but not sent: no reminder arrives after the deadline.
    const reminders = await t.db.query(
      `SELECT count(*)::int AS n FROM task_effects WHERE task_id = $1 AND kind = 'reminder' AND NOT superseded`,
      [taskId],
    );
    expect(reminders[0].n).toBe(0);
  });

  it('moves the ladder when an extension is approved, and stops it when the task closes', async () => {
    const taskId = await newTask(2 * HOUR + 30 * 60_000);
    await as(responsible).post(`/api/v1/tasks/${taskId}/accept`).expect(200);
    t.clock.advance(HOUR);
    await engine.sweep();
    const asked = await as(responsible).post(`/api/v1/tasks/${taskId}/extensions`, {
      newDueAt: new Date(t.clock.now().getTime() + 5 * HOUR).toISOString(),
      reason: '需协调场地',
      progress: '已腾退部分房间',
    });
    expect(asked.status).toBe(201);
    await as(secretary).post(`/api/v1/extensions/${asked.body.id}/approve`).expect(200);
    t.clock.advance(2 * HOUR); // past the old deadline, well before the new one
    await engine.sweep();
    expect(await levels(taskId)).toEqual([]);
    expect((await as(responsible).get(`/api/v1/tasks/${taskId}`)).body.light).not.toBe('red');

    t.clock.advance(3 * HOUR + 1000); // past the new deadline
    await engine.sweep();
    expect(await levels(taskId)).toEqual([1]);

    await as(responsible).post(`/api/v1/tasks/${taskId}/submit`, { summary: '已恢复' }).expect(200);
    await as(supervisor).post(`/api/v1/tasks/${taskId}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`/api/v1/tasks/${taskId}/close`).expect(200);
    t.clock.advance(48 * HOUR);
    await engine.sweep();
    expect(await levels(taskId)).toEqual([1]);
  });

  it('lets discipline inspection decide a case once, with an outcome and a reason', async () => {
    const taskId = await newTask(HOUR);
    t.clock.advance(5 * HOUR);
    await engine.sweep();
    const list = await as(discipline).get(`/api/v1/accountability-cases?state=open`).expect(200);
    const c = list.body.items.find((x: { taskId: string }) => x.taskId === taskId);
    const url = `/api/v1/accountability-cases/${c.id}`;
    const detail = await as(discipline).get(url).expect(200);
    expect(detail.body.escalations.filter((e: { kind: string }) => e.kind === 'step')).toHaveLength(
      4,
    );

    expect(
      (await as(responsible).post(`${url}/decision`, { outcome: 'exempted', reason: '自己免责' }))
        .status,
    ).toBe(403);
    expect((await as(outsider).get(url)).status).toBe(404);
    expect((await as(discipline).post(`${url}/decision`, { outcome: 'exempted' })).status).toBe(
      400,
    );
    expect(
      (await as(discipline).post(`${url}/decision`, { outcome: 'fine', reason: 'x' })).status,
    ).toBe(400);
    const decided = await as(discipline).post(`${url}/decision`, {
      outcome: 'exempted',
      reason: '因上级资金未到位导致延误，属于“三个区分开来”情形，予以容错免责',
    });
    expect(decided.status).toBe(201);
    expect(decided.body).toMatchObject({
      state: 'decided',
      outcome: 'exempted',
      outcomeLabel: '容错免责',
    });
    const twice = await as(secretary).post(`${url}/decision`, {
      outcome: 'admonishment',
      reason: '改判',
    });
    expect(twice.status).toBe(409);
    // Its subjects are told of the decision, once.
    const told = (await inbox(responsible, 'case_decided')).filter(
      (n: { data: { caseId: string } }) => n.data.caseId === c.id,
    );
    expect(told).toHaveLength(1);
    expect(told[0].title).toContain('容错免责');
    const caseTimeline = await t.db.query(
      `SELECT type FROM audit_events WHERE stream_id = $1 ORDER BY seq`,
      [c.id],
    );
    expect(caseTimeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'decided']);
  });
});

describe('the quarterly rhythm', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
  });
  afterAll(() => t.close());

  it('sends each person one message listing all their tasks at quarter start, and marks late reports yellow', async () => {
    t.clock.set('2026-12-20T02:00:00Z'); // Q4, Shanghai
    const admin = await api.adminToken();
    const county = await api.createOrg(admin, { name: '县委', kind: 'committee' });
    const branch = await api.createOrg(admin, {
      name: '支部',
      kind: 'branch',
      parentId: county.id,
    });
    const sup = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'sup');
    const owner = await api.createPerson(admin, [{ orgId: branch.id, role: 'member' }], 'owner');
    const leader = await api.createPerson(admin, [{ orgId: county.id, role: 'member' }], 'leader');
    const res = await t
      .http()
      .post('/api/v1/problems')
      .auth(sup.token, { type: 'bearer' })
      .send({
        title: '党员教育不到位',
        description: '学习流于形式',
        category: 'member_education',
        severity: 'general',
        source: 'self_inspection',
        orgId: branch.id,
        raisedByOrgId: county.id,
        tasks: [1, 2, 3].map((i) => ({
          measure: `措施${i}`,
          responsibleOrgId: branch.id,
          responsibleUserId: owner.id,
          leaderUserId: leader.id,
          mode: i === 3 ? 'standing' : 'deadline',
          ...(i === 3 ? {} : { dueDate: '2027-06-30' }),
        })),
      });
    expect(res.status).toBe(201);
    const [t1, t2] = res.body.tasks.map((x: { id: string }) => x.id);
    await engine.sweep(); // Q4's start run

    // The clock moves past the tokens' lifetime: log in again after each jump.
    const relogin = async (p: { username: string; token: string }) => {
      p.token = await api.login(p.username, 'a-long-password-1');
    };
    t.clock.set('2026-12-31T16:00:05Z'); // 2027-01-01 00:00:05 in Shanghai: Q1 begins
    await Promise.all([relogin(owner), relogin(leader)]);
    await engine.sweep();
    await engine.sweep();
    const inbox = (
      await t.http().get('/api/v1/notifications').auth(owner.token, { type: 'bearer' })
    ).body.items.filter(
      (n: { kind: string; data: { quarter?: string } }) =>
        n.kind === 'quarterly_report_due' && n.data?.quarter === '2027Q1',
    );
    expect(inbox).toHaveLength(1);
    expect(inbox[0].data.tasks).toHaveLength(3);

    await t
      .http()
      .post(`/api/v1/tasks/${t1}/accept`)
      .auth(owner.token, { type: 'bearer' })
      .expect(200);
    t.clock.set('2027-01-05T02:00:00Z');
    await t
      .http()
      .post(`/api/v1/tasks/${t1}/progress`)
      .auth(owner.token, { type: 'bearer' })
      .send({ content: '一季度已开展专题学习' })
      .expect(200);

    t.clock.set('2027-01-15T15:59:00Z'); // not yet 15 days in (Shanghai)
    await Promise.all([relogin(owner), relogin(leader)]);
    await engine.sweep();
    expect(
      (await t.http().get(`/api/v1/tasks/${t2}`).auth(owner.token, { type: 'bearer' })).body.light,
    ).toBe('green');
    t.clock.set('2027-01-15T16:00:01Z');
    await engine.sweep();
    await engine.sweep();
    const task2 = (await t.http().get(`/api/v1/tasks/${t2}`).auth(owner.token, { type: 'bearer' }))
      .body;
    const task1 = (await t.http().get(`/api/v1/tasks/${t1}`).auth(owner.token, { type: 'bearer' }))
      .body;
    expect(task2.light).toBe('yellow');
    expect(task1.light).toBe('green');
    const late = (
      await t.http().get('/api/v1/notifications').auth(leader.token, { type: 'bearer' })
    ).body.items.filter((n: { kind: string }) => n.kind === 'quarterly_report_late');
    expect(late).toHaveLength(1);
    expect(late[0].data.tasks.map((x: { id: string }) => x.id).sort()).toEqual(
      res.body.tasks
        .map((x: { id: string }) => x.id)
        .filter((id: string) => id !== t1)
        .sort(),
    );
  });
});
