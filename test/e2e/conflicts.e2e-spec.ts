import { randomUUID } from 'node:crypto';
import { localDateOf } from '#duban/domain';
import { createDataSource, MIGRATIONS } from '#duban/persistence';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

const HOUR = 3600_000;

/** A ladder in hours so a test can walk it by moving the clock. */
const HOURLY_POLICY = {
  remindBefore: ['PT1H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT2H', notify: ['secretary', 'superior', 'leader'] },
    { level: 4, name: '问责', after: 'PT3H', notify: ['discipline', 'secretary'] },
  ],
};

/**
 * Conflicts of interest, as a hostile insider found them (issue 10): nobody judges their own
 * work or decides their own case; delegated notices and leaders stay within scope.
 *
 * 某县委 (committee: raises problems; has discipline inspection)
 * └── 第一党总支 (general_branch)
 *     ├── 第一支部 (branch) — responsible unit
 *     └── 第二支部 (branch)
 * 另一县委 (another committee, no authority here)
 */
describe('conflicts of interest, delegation and leaders', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let admin: string;
  let county: { id: string };
  let general: { id: string };
  let branchA: { id: string };
  let branchB: { id: string };
  let otherCounty: { id: string };
  let countySecretary: Person;
  let countySupervisor: Person;
  let countyDiscipline: Person;
  /** Secretary of 第一支部 and supervisor of the county: could do and judge the same work. */
  let dual: Person;
  /** Deputy of the county and a member of 第一支部. */
  let memberDeputy: Person;
  let responsible: Person;
  let generalMember: Person;
  let memberB: Person;
  let otherMember: Person;
  /** The task of finding 2, which dual and the responsible person worked on. */
  let workedOn: string;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  const dueIn = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();

  async function newTask(
    by: Person,
    raisedByOrgId: string,
    task: { responsibleUserId: string; leaderUserId?: string; dueInMs?: number },
  ) {
    return as(by).post('/api/v1/problems', {
      title: '第一支部未按规定开展“三会一课”',
      description: '支部党员大会、支委会会议记录缺失，党课未按计划开展。',
      category: 'organisational_life',
      severity: 'serious',
      source: 'quarterly_check',
      orgId: branchA.id,
      raisedByOrgId,
      tasks: [
        {
          measure: '制定“三会一课”年度计划，逐月落实并建立会议记录台账',
          responsibleOrgId: branchA.id,
          responsibleUserId: task.responsibleUserId,
          ...(task.leaderUserId ? { leaderUserId: task.leaderUserId } : {}),
          mode: 'deadline',
          dueAt: dueIn(task.dueInMs ?? 30 * 24 * HOUR),
        },
      ],
    });
  }

  async function taskId(res: { status: number; body: { tasks: { id: string }[] } }) {
    expect(res.status).toBe(201);
    return res.body.tasks[0].id;
  }

  const inbox = async (p: Person) =>
    (await as(p).get('/api/v1/notifications?pageSize=200').expect(200)).body.items as {
      kind: string;
      data: { taskId?: string };
      viaDelegationFrom: string | null;
    }[];

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    general = await api.createOrg(admin, {
      name: '第一党总支',
      kind: 'general_branch',
      parentId: county.id,
    });
    branchA = await api.createOrg(admin, {
      name: '第一支部',
      kind: 'branch',
      parentId: general.id,
    });
    branchB = await api.createOrg(admin, {
      name: '第二支部',
      kind: 'branch',
      parentId: general.id,
    });
    otherCounty = await api.createOrg(admin, { name: '另一县委', kind: 'committee' });
    countySecretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'county-sec',
    );
    countySupervisor = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'supervisor' }],
      'county-sup',
    );
    countyDiscipline = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'discipline' }],
      'county-discipline',
    );
    dual = await api.createPerson(
      admin,
      [
        { orgId: branchA.id, role: 'secretary' },
        { orgId: county.id, role: 'supervisor' },
      ],
      'dual',
    );
    memberDeputy = await api.createPerson(
      admin,
      [
        { orgId: county.id, role: 'deputy' },
        { orgId: branchA.id, role: 'member' },
      ],
      'member-deputy',
    );
    responsible = await api.createPerson(
      admin,
      [{ orgId: branchA.id, role: 'member' }],
      'responsible',
    );
    generalMember = await api.createPerson(
      admin,
      [{ orgId: general.id, role: 'member' }],
      'general-member',
    );
    memberB = await api.createPerson(admin, [{ orgId: branchB.id, role: 'member' }], 'member-b');
    otherMember = await api.createPerson(
      admin,
      [{ orgId: otherCounty.id, role: 'member' }],
      'other-member',
    );
    await t
      .http()
      .put(`/api/v1/orgs/${county.id}/escalation-policy`)
      .auth(countySecretary.token, { type: 'bearer' })
      .send(HOURLY_POLICY)
      .expect(200);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way
  });
  afterAll(() => t.close());

  it('finding 2: the responsible branch’s secretary who worked on a task cannot verify, check or close it', async () => {
    const id = await taskId(
      await newTask(countySupervisor, county.id, { responsibleUserId: responsible.id }),
    );
    workedOn = id;
    const url = `/api/v1/tasks/${id}`;
    await as(dual).post(`${url}/accept`, { comment: '已签收' }).expect(200);
    await as(dual).post(`${url}/progress`, { content: '已制定年度计划' }).expect(200);
    await as(responsible).post(`${url}/submit`, { summary: '已建立会议记录台账' }).expect(200);

    // The UI is not offered what the server refuses.
    const seen = await as(dual).get(url).expect(200);
    expect(seen.body.actions).not.toContain('verify');
    expect(seen.body.actions).not.toContain('recordCheck');
    expect(seen.body.conflictOfInterest).toMatch(/参与过该任务的整改/);
    const judge = await as(countySupervisor).get(url).expect(200);
    expect(judge.body).toMatchObject({ conflictOfInterest: null });
    expect(judge.body.actions).toContain('verify');

    let res = await as(dual).post(`${url}/verify`, { passed: true });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('conflict_of_interest');
    expect(res.body.message).toMatch(/无权验收/);
    res = await as(dual).post(`${url}/checks`, { result: 'on_track' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('conflict_of_interest');

    // A member of the responsible branch who is also the county's deputy does not verify or close.
    res = await as(memberDeputy).post(`${url}/verify`, { passed: true });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('conflict_of_interest');
    await as(countySupervisor).post(`${url}/verify`, { passed: true }).expect(200);
    res = await as(memberDeputy).post(`${url}/close`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('conflict_of_interest');
    expect(res.body.message).toMatch(/无权销号/);
    const deputyView = (await as(memberDeputy).get(url).expect(200)).body;
    expect(deputyView.actions).not.toContain('close');
    expect(deputyView.conflictOfInterest).toMatch(/责任单位担任职务/);
    // The bulk approval runs the same rule, task by task.
    res = await as(memberDeputy).post('/api/v1/tasks/close', { taskIds: [id] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      expect.objectContaining({ taskId: id, ok: false, status: 403, code: 'conflict_of_interest' }),
    ]);
    const closed = await as(countySecretary).post(`${url}/close`).expect(200);
    expect(closed.body.state).toBe('closed');
  });

  it('finding 6: the leader in charge must hold a role in the responsible org or above it, within the raising org', async () => {
    for (const leader of [memberB, otherMember]) {
      const res = await newTask(countySupervisor, county.id, {
        responsibleUserId: responsible.id,
        leaderUserId: leader.id,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'tasks[0].leaderUserId' }),
      ]);
      expect(res.body.message).toContain('第1项措施的分管领导');
    }
    // The same on a measure added to an existing problem.
    const first = await newTask(countySupervisor, county.id, { responsibleUserId: responsible.id });
    expect(first.status).toBe(201);
    const added = await as(countySupervisor).post(`/api/v1/problems/${first.body.id}/tasks`, {
      measure: '补开组织生活会',
      responsibleOrgId: branchA.id,
      responsibleUserId: responsible.id,
      leaderUserId: memberB.id,
      mode: 'deadline',
      dueAt: dueIn(10 * 24 * HOUR),
    });
    expect(added.status).toBe(400);
    expect(added.body.errors).toEqual([expect.objectContaining({ field: 'leaderUserId' })]);

    for (const leader of [generalMember, countySecretary, responsible]) {
      const ok = await newTask(countySupervisor, county.id, {
        responsibleUserId: responsible.id,
        leaderUserId: leader.id,
      });
      expect(ok.status).toBe(201);
    }
  });

  it('finding 1: a subject does not decide their own case; the next org up with discipline inspection does', async () => {
    // The branch secretary raises a problem in their own branch and answers for it.
    const id = await taskId(
      await newTask(dual, branchA.id, { responsibleUserId: dual.id, dueInMs: HOUR }),
    );
    t.clock.advance(5 * HOUR);
    await engine.sweep();
    const rows: { id: string; subject_user_ids: string[] }[] = await t.db.query(
      `SELECT id, subject_user_ids FROM accountability_cases WHERE task_id = $1`,
      [id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].subject_user_ids).toContain(dual.id);
    const url = `/api/v1/accountability-cases/${rows[0].id}`;

    // The UI is told who may decide, and why not.
    const seen = await as(dual).get(url).expect(200);
    expect(seen.body.actions).toEqual([]);
    expect(seen.body.decideRefusal).toEqual({
      code: 'conflict_of_interest',
      message: expect.stringMatching(/^无权决定：你是该问责案件的问责对象/),
    });
    const fromAbove = await as(countyDiscipline).get(url).expect(200);
    expect(fromAbove.body).toMatchObject({ actions: ['decide'], decideRefusal: null });

    let res = await as(dual).post(`${url}/decision`, { outcome: 'exempted', reason: '自己免责' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('conflict_of_interest');
    expect(res.body.message).toMatch(/无权决定/);
    // A member of the subject branch does not decide either, whatever their other roles.
    res = await as(memberDeputy).post(`${url}/decision`, { outcome: 'exempted', reason: 'x' });
    expect(res.status).toBe(403);

    // Nobody eligible is left at the branch: the county's discipline inspection decides.
    res = await as(countyDiscipline).post(`${url}/decision`, {
      outcome: 'admonishment',
      reason: '长期未落实“三会一课”，经提醒仍未整改',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      state: 'decided',
      decidedBy: countyDiscipline.id,
      actions: [],
      decideRefusal: null,
    });
    expect(res.body.subjectUserIds).not.toContain(res.body.decidedBy);
  });

  it('finding 5: delegation only to someone entitled to the notices, and delegated notices only for tasks the deputy may see', async () => {
    // Secretary of 第一支部 who also sits in 第二支部 as a member.
    const principal = await api.createPerson(
      admin,
      [
        { orgId: branchA.id, role: 'secretary' },
        { orgId: branchB.id, role: 'member' },
      ],
      'principal',
    );
    const today = localDateOf(t.clock.now(), 'Asia/Shanghai');
    const body = { deputyId: memberB.id, startsOn: today, endsOn: today };
    let res = await as(principal).post('/api/v1/me/delegations', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^代理人：/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'deputyId' })]);
    // Someone above both of the principal's orgs may stand in.
    res = await as(principal).post('/api/v1/me/delegations', {
      deputyId: generalMember.id,
      startsOn: today,
      endsOn: today,
    });
    expect(res.status).toBe(201);

    // A delegation recorded before this rule (or whose deputy lost a role since) still leaks
    // nothing: the copy is planned only for tasks the deputy may see.
    await t.db.query(
      `INSERT INTO delegations (id, user_id, deputy_id, starts_on, ends_on, created_at)
       VALUES ($1, $2, $3, $4, $4, $5)`,
      [randomUUID(), principal.id, memberB.id, today, t.clock.now()],
    );
    const id = await taskId(
      await newTask(countySupervisor, county.id, {
        responsibleUserId: responsible.id,
        dueInMs: HOUR,
      }),
    );
    t.clock.advance(2 * HOUR + 60_000); // level 2 (督办) tells the branch secretary
    await engine.sweep();
    await engine.sweep();
    const principalNotices = (await inbox(principal)).filter(
      (n) => n.kind === 'escalation' && n.data.taskId === id,
    );
    expect(principalNotices.length).toBeGreaterThan(0);
    const deputyCopies = (await inbox(generalMember)).filter((n) => n.data.taskId === id);
    expect(deputyCopies.length).toBeGreaterThan(0);
    expect(deputyCopies.every((n) => n.viaDelegationFrom === principal.id)).toBe(true);
    expect((await inbox(memberB)).filter((n) => n.data.taskId === id)).toEqual([]);
    expect((await as(memberB).get(`/api/v1/tasks/${id}`)).status).toBe(404);
  });

  // Last: it rebuilds a column under the running app, so nothing reads tasks through it after.
  it('migration 1764500000000 backfills who acted on existing tasks from their audit chain', async () => {
    const actedBy = async () =>
      (
        (await t.db.query(`SELECT acted_by FROM tasks WHERE id = $1`, [workedOn])) as {
          acted_by: string[];
        }[]
      )[0].acted_by;
    expect(await actedBy()).toEqual([dual.id, responsible.id]);
    const Migration = MIGRATIONS.find((m) => m.name === 'TaskActedBy1764500000000');
    if (!Migration) throw new Error('migration 1764500000000 is not registered');
    const migration = new Migration();
    // Migrations run as the owner, not as the apps' duban_app.
    const owner = await createDataSource(t.config.DATABASE_URL, 1).initialize();
    const q = owner.createQueryRunner();
    try {
      await migration.down(q);
      await migration.up(q);
    } finally {
      await q.release();
      await owner.destroy();
    }
    expect(await actedBy()).toEqual([dual.id, responsible.id]);
    const untouched: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM tasks WHERE state = 'assigned' AND acted_by <> '{}'`,
    );
    expect(untouched[0].n).toBe(0);
  });
});
