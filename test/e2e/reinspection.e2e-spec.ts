import { drawSample } from '#duban/domain';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string; username: string };
const PASSWORD = 'a-long-password-1';

/** 回头看: the quarter-end draw (once), the re-inspector rule, a relapse reopening its measure. */
describe('re-inspection after closure (回头看)', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let county: { id: string };
  let branch: { id: string };
  let secretary: Person;
  let verifier: Person;
  let inspectorB: Person;
  let inspectorC: Person;
  let responsible: Person;
  let deputy: Person;
  const closed: string[] = [];

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  async function closedTask(severity: string, n: number): Promise<string> {
    const res = await as(secretary).post('/api/v1/problems', {
      title: `问题${n}`,
      description: '检查发现的问题',
      // Distinct categories: a recurrence would list the branch before the relapse does.
      category: ['organisational_life', 'work_style', 'public_work', 'political_function'][n - 1],
      severity,
      source: 'roving_check',
      orgId: branch.id,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure: `整改措施${n}`,
          responsibleOrgId: branch.id,
          responsibleUserId: responsible.id,
          mode: 'deadline',
          dueAt: new Date(t.clock.now().getTime() + 20 * 86400_000).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(201);
    const id = res.body.tasks[0].id as string;
    await as(responsible).post(`/api/v1/tasks/${id}/accept`).expect(200);
    await as(responsible).post(`/api/v1/tasks/${id}/submit`, { summary: '已整改' }).expect(200);
    await as(verifier).post(`/api/v1/tasks/${id}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`/api/v1/tasks/${id}/close`).expect(200);
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    branch = await api.createOrg(admin, { name: '某支部', kind: 'branch', parentId: county.id });
    secretary = await api.createPerson(admin, [{ orgId: county.id, role: 'secretary' }], 'sec');
    verifier = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'ver');
    inspectorB = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'b');
    inspectorC = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'c');
    responsible = await api.createPerson(admin, [{ orgId: branch.id, role: 'member' }], 'resp');
    deputy = await api.createPerson(admin, [{ orgId: county.id, role: 'deputy' }], 'deputy');
    await engine.sweep(); // this quarter's start run and the last quarter's (empty) draw run
  });
  afterAll(() => t.close());

  it('validates and inherits the policy', async () => {
    const bad = await as(secretary).put(`/api/v1/orgs/${county.id}/reinspection-policy`, {
      rate: 1.5,
      alwaysSeverities: ['huge'],
      inspectorRole: 'member',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['rate', 'alwaysSeverities[0]', 'inspectorRole']),
    );
    expect(
      (
        await as(responsible).put(`/api/v1/orgs/${branch.id}/reinspection-policy`, {
          rate: 0.5,
        })
      ).status,
    ).toBe(403);
    await as(secretary)
      .put(`/api/v1/orgs/${county.id}/reinspection-policy`, {
        rate: 0.25,
        alwaysSeverities: ['critical'],
        inspectorRole: 'supervisor',
      })
      .expect(200);
    const inherited = await as(secretary)
      .get(`/api/v1/orgs/${branch.id}/reinspection-policy`)
      .expect(200);
    expect(inherited.body).toMatchObject({ rate: 0.25, inheritedFromOrgId: county.id });
  });

  it('at quarter end draws once, whatever the runs, from a seed anyone can redraw', async () => {
    closed.push(await closedTask('critical', 1));
    for (let i = 2; i <= 4; i++) closed.push(await closedTask('general', i));

    t.clock.set('2026-12-31T16:05:00.000Z'); // 2027-01-01 00:05 in Shanghai: Q4 has ended
    for (const p of [secretary, verifier, inspectorB, inspectorC, responsible, deputy])
      p.token = await api.login(p.username, PASSWORD);
    const first = (await engine.claim()).filter((j) => j.name === 'reinspection-draws');
    // The sweep asks again before the job ran (Redis lost it, or another worker's sweep).
    const again = (await engine.claim()).filter((j) => j.name === 'reinspection-draws');
    expect(first.map((j) => j.jobId)).toEqual(again.map((j) => j.jobId));
    expect(first.map((j) => j.data.quarter)).toContain('2026Q4');
    await Promise.all([engine.run(first), engine.run(again)]); // two workers at once
    await engine.run(first); // and a retry
    expect((await engine.claim()).filter((j) => j.name === 'reinspection-draws')).toEqual([]);

    const draws: { id: string; sample_task_ids: string[] }[] = await t.db.query(
      `SELECT id, sample_task_ids FROM reinspection_draws WHERE org_id = $1`,
      [county.id],
    );
    expect(draws).toHaveLength(1);
    // Drawing by hand for the same quarter returns the same draw.
    const manual = await as(secretary)
      .post(`/api/v1/orgs/${county.id}/reinspection-draws`, { quarter: '2026Q4' })
      .expect(200);
    expect(manual.body.id).toBe(draws[0].id);
    expect(manual.body.population.sort()).toEqual([...closed].sort());
    expect(manual.body.sampleTaskIds).toHaveLength(2); // the critical one, and ⌈0.25 × 4⌉ = 1
    expect(manual.body.sampleTaskIds).toContain(closed[0]);
    const got = await as(secretary).get(`/api/v1/reinspection-draws/${draws[0].id}`).expect(200);
    const redrawn = drawSample(
      got.body.seed,
      got.body.population.map((id: string) => ({
        taskId: id,
        severity: got.body.populationSeverities[id],
      })),
      got.body.policy,
    );
    expect(redrawn).toEqual(got.body.sampleTaskIds);

    const list = await as(secretary)
      .get(`/api/v1/reinspections?orgId=${county.id}&state=pending`)
      .expect(200);
    expect(list.body).toHaveLength(2);
    for (const r of list.body) {
      expect([inspectorB.id, inspectorC.id]).toContain(r.inspectorUserId);
      expect(r.state).toBe('pending');
    }
    expect(
      (
        await as(secretary).post(`/api/v1/orgs/${county.id}/reinspection-draws`, {
          quarter: '2027Q3',
        })
      ).status,
    ).toBe(400);

    // The deadline passes without a result: the inspector and the secretary are told once.
    t.clock.advance(40 * 86400_000);
    for (const p of [secretary, verifier, inspectorB, inspectorC, responsible, deputy])
      p.token = await api.login(p.username, PASSWORD);
    await engine.sweep();
    await engine.sweep();
    const overdue = await as(secretary)
      .get(`/api/v1/reinspections?orgId=${county.id}&state=pending`)
      .expect(200);
    expect(overdue.body.every((r: { overdue: boolean }) => r.overdue)).toBe(true);
    const notices: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND dedupe_key LIKE 'reinspection:%:overdue'`,
      [secretary.id],
    );
    expect(notices[0].n).toBe(2);
  });

  it('the closer may not re-inspect; a relapse reopens the measure with a new deadline', async () => {
    const list = await as(secretary)
      .get(`/api/v1/reinspections?orgId=${county.id}&state=pending`)
      .expect(200);
    const [first, second] = list.body as { id: string; taskId: string; inspectorUserId: string }[];
    const byCloser = await as(secretary).post(`/api/v1/reinspections/${first.id}/result`, {
      outcome: 'held',
      note: '我来复查',
    });
    expect(byCloser.status).toBe(403);
    expect(byCloser.body.code).toBe('conflict_of_interest');
    const byVerifier = await as(verifier).post(`/api/v1/reinspections/${first.id}/result`, {
      outcome: 'held',
      note: '我来复查',
    });
    expect(byVerifier.status).toBe(403);
    expect(byVerifier.body.code).toBe('conflict_of_interest');

    const inspectorOf = (id: string) => (id === inspectorB.id ? inspectorB : inspectorC);
    const bad = await as(inspectorOf(first.inspectorUserId)).post(
      `/api/v1/reinspections/${first.id}/result`,
      { outcome: 'maybe', note: '' },
    );
    expect(bad.status).toBe(400);

    const held = await as(inspectorOf(second.inspectorUserId))
      .post(`/api/v1/reinspections/${second.id}/result`, { outcome: 'held', note: '整改成效巩固' })
      .expect(200);
    expect(held.body.state).toBe('held');

    const before = (await as(secretary).get(`/api/v1/tasks/${first.taskId}`).expect(200)).body;
    expect(before).toMatchObject({ state: 'closed', relapse: false });
    const relapsed = await as(inspectorOf(first.inspectorUserId))
      .post(`/api/v1/reinspections/${first.id}/result`, {
        outcome: 'relapsed',
        note: '会议记录再次缺失',
      })
      .expect(200);
    expect(relapsed.body.state).toBe('relapsed');
    const after = (await as(secretary).get(`/api/v1/tasks/${first.taskId}`).expect(200)).body;
    expect(after).toMatchObject({ state: 'in_progress', relapse: true, escalationLevel: 0 });
    expect(new Date(after.dueAt).getTime()).toBeGreaterThan(t.clock.now().getTime());
    const problem = (await as(secretary).get(`/api/v1/problems/${after.problemId}`).expect(200))
      .body;
    expect(problem.recurrenceCount).toBeGreaterThanOrEqual(1);
    expect(
      (
        await as(inspectorOf(first.inspectorUserId)).post(
          `/api/v1/reinspections/${first.id}/result`,
          { outcome: 'held', note: '再登记一次' },
        )
      ).status,
    ).toBe(409);
  });

  it('the relapse put the branch on the negative list, with consequences until lifted', async () => {
    const list = await as(secretary).get(`/api/v1/negative-list?orgId=${county.id}`).expect(200);
    expect(list.body).toHaveLength(1);
    const [entry] = list.body;
    expect(entry).toMatchObject({
      subjectType: 'org',
      subjectId: branch.id,
      listed: true,
      reasons: [expect.objectContaining({ kind: 'relapse' })],
    });
    const inbox = await as(secretary).get('/api/v1/notifications?pageSize=100').expect(200);
    expect(inbox.body.items.map((n: { kind: string }) => n.kind)).toContain('negative_listed');

    // The branch's next problem starts one severity higher.
    const raise = (severity: string) =>
      as(secretary).post('/api/v1/problems', {
        title: '新发现的问题',
        description: '检查发现',
        category: 'member_education',
        severity,
        source: 'roving_check',
        orgId: branch.id,
        raisedByOrgId: county.id,
      });
    const next = await raise('general');
    expect(next.status).toBe(201);
    expect(next.body.severity).toBe('serious');

    // In the ledger, and exportable.
    const ledger = await as(secretary)
      .get(`/api/v1/reports/ledger?orgId=${county.id}&format=csv`)
      .expect(200);
    expect(ledger.text).toContain('负面清单');
    expect(ledger.text).toContain('在列');
    const csv = await as(secretary)
      .get(`/api/v1/negative-list?orgId=${county.id}&format=csv`)
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain('某支部');
    expect(csv.text).toContain('回头看发现整改反弹');

    // Its measures are closed by the raising org's secretary only, not a deputy.
    const relapsed = (
      await as(secretary).get(`/api/v1/reinspections?orgId=${county.id}&state=relapsed`).expect(200)
    ).body[0].taskId as string;
    await as(responsible)
      .post(`/api/v1/tasks/${relapsed}/submit`, { summary: '再次整改' })
      .expect(200);
    await as(inspectorB).post(`/api/v1/tasks/${relapsed}/verify`, { passed: true }).expect(200);
    const byDeputy = await as(deputy).post(`/api/v1/tasks/${relapsed}/close`);
    expect(byDeputy.status).toBe(403);
    expect(byDeputy.body.code).toBe('negative_list_secretary_only');
    await as(secretary).post(`/api/v1/tasks/${relapsed}/close`).expect(200);

    // Lifted early with a written reason; then problems start at their own severity again.
    expect(
      (await as(responsible).post(`/api/v1/negative-list/${entry.id}/lift`, { reason: '我要移出' }))
        .status,
    ).toBeGreaterThanOrEqual(403);
    expect(
      (await as(secretary).post(`/api/v1/negative-list/${entry.id}/lift`, { reason: '' })).status,
    ).toBe(400);
    const lifted = await as(secretary)
      .post(`/api/v1/negative-list/${entry.id}/lift`, {
        reason: '复查整改到位，党委会研究同意提前移出',
      })
      .expect(200);
    expect(lifted.body).toMatchObject({ listed: false, liftKind: 'lifted' });
    expect((await raise('general')).body.severity).toBe('general');
  });
});
