import { CALENDAR_REFRESH_MS } from '#duban/rectification';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };
const DAY = 86400_000;

/**
 * An organisation's own holidays (e.g. a 民族自治地方's) apply to its subtree: its deadlines'
 * working days are counted on national data + national overrides + the overrides of every org
 * above it, the nearest winning. Nothing else moves.
 */
describe('per-organisation calendar overrides', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let admin: string;
  let autonomous: { id: string };
  let branch: { id: string };
  let other: { id: string };
  let otherBranch: { id: string };
  let countyAdmin: Person;
  let secretary: Person;
  let otherAdmin: Person;
  let supervisor: Person;
  let otherSupervisor: Person;
  let responsible: Person;
  let otherResponsible: Person;

  const as = (p: Person | string) => {
    const token = typeof p === 'string' ? p : p.token;
    return {
      get: (url: string) => t.http().get(url).auth(token, { type: 'bearer' }),
      put: (url: string, body: object) =>
        t.http().put(url).auth(token, { type: 'bearer' }).send(body),
      delete: (url: string) => t.http().delete(url).auth(token, { type: 'bearer' }),
    };
  };

  async function assign(
    raiser: Person,
    raisedBy: { id: string },
    org: { id: string },
    person: Person,
    dueDate: string,
  ): Promise<string> {
    const problem = await t
      .http()
      .post('/api/v1/problems')
      .auth(raiser.token, { type: 'bearer' })
      .send({
        title: '会议记录不全',
        description: '督查发现会议记录缺失',
        category: 'organisational_life',
        severity: 'general',
        source: 'quarterly_check',
        orgId: org.id,
        raisedByOrgId: raisedBy.id,
      });
    expect(problem.status).toBe(201);
    const task = await t
      .http()
      .post(`/api/v1/problems/${problem.body.id}/tasks`)
      .auth(raiser.token, { type: 'bearer' })
      .send({
        measure: '建立会议记录台账',
        responsibleOrgId: org.id,
        responsibleUserId: person.id,
        mode: 'deadline',
        dueDate,
      });
    expect(task.status).toBe(201);
    return task.body.task.id as string;
  }

  const nextFireAt = async (taskId: string): Promise<number> =>
    (
      await t.db.query(`SELECT next_fire_at FROM task_timers WHERE task_id = $1`, [taskId])
    )[0].next_fire_at.getTime();

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    admin = await api.adminToken();
    autonomous = await api.createOrg(admin, { name: '某自治县委', kind: 'committee' });
    branch = await api.createOrg(admin, {
      name: '某支部',
      kind: 'branch',
      parentId: autonomous.id,
    });
    other = await api.createOrg(admin, { name: '另一县委', kind: 'committee' });
    otherBranch = await api.createOrg(admin, {
      name: '另一支部',
      kind: 'branch',
      parentId: other.id,
    });
    countyAdmin = await api.createPerson(admin, [{ orgId: autonomous.id, role: 'admin' }], 'ca');
    secretary = await api.createPerson(admin, [{ orgId: autonomous.id, role: 'secretary' }], 'sec');
    otherAdmin = await api.createPerson(admin, [{ orgId: other.id, role: 'admin' }], 'oa');
    supervisor = await api.createPerson(admin, [{ orgId: autonomous.id, role: 'supervisor' }]);
    otherSupervisor = await api.createPerson(admin, [{ orgId: other.id, role: 'supervisor' }]);
    responsible = await api.createPerson(admin, [{ orgId: branch.id, role: 'member' }]);
    otherResponsible = await api.createPerson(admin, [{ orgId: otherBranch.id, role: 'member' }]);
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way
  });
  afterAll(() => t.close());

  it("is set by the org's admins (or the system admin), not by others", async () => {
    const url = `/api/v1/orgs/${autonomous.id}/calendar-overrides`;
    const entries = [{ date: '2026-12-25', kind: 'holiday', note: '自治县成立纪念日' }];
    const bySecretary = await as(secretary).put(url, { entries });
    expect(bySecretary.status).toBe(403);
    expect(bySecretary.body.message).toMatch(/管理员/);
    await as(otherAdmin).put(url, { entries }).expect(404);
    await as(responsible).put(url, { entries }).expect(403);
    const bad = await as(countyAdmin).put(url, { entries: [{ date: '2026-13-01', kind: 'x' }] });
    expect(bad.status).toBe(400);
    const put = await as(countyAdmin).put(url, { entries }).expect(200);
    expect(put.body.items).toEqual([
      expect.objectContaining({ date: '2026-12-25', kind: 'holiday', updatedBy: countyAdmin.id }),
    ]);
    await as(admin).put(url, { entries }).expect(200);
    // Seen by people in it and below it (it applies to them), not by a sibling county.
    expect((await as(responsible).get(url).expect(200)).body.total).toBe(1);
    await as(otherAdmin).get(url).expect(404);
    expect((await as(admin).get(`/api/v1/orgs/${other.id}/calendar-overrides`)).body.total).toBe(0);
    // Gone again for the next test.
    await as(countyAdmin).delete(`${url}/2026-12-25`).expect(204);
    await as(countyAdmin).delete(`${url}/2026-12-25`).expect(404);
  });

  it('moves working-day counts for tasks in its subtree only, nearest org winning', async () => {
    // Friday 18 December 2026; the first reminder is 7 working days before (Wednesday 9th).
    const inSubtree = await assign(supervisor, autonomous, branch, responsible, '2026-12-18');
    const elsewhere = await assign(
      otherSupervisor,
      other,
      otherBranch,
      otherResponsible,
      '2026-12-18',
    );
    await engine.sweep();
    const before = await nextFireAt(inSubtree);
    expect(await nextFireAt(elsewhere)).toBe(before);

    // Monday 14th off in the autonomous county; its branch works on it after all (nearest wins)
    // only for Tuesday 15th, which the county also gave off.
    await as(countyAdmin)
      .put(`/api/v1/orgs/${autonomous.id}/calendar-overrides`, {
        entries: [
          { date: '2026-12-14', kind: 'holiday', note: '民族节日' },
          { date: '2026-12-15', kind: 'holiday', note: '民族节日' },
        ],
      })
      .expect(200);
    await as(countyAdmin)
      .put(`/api/v1/orgs/${branch.id}/calendar-overrides`, {
        entries: [{ date: '2026-12-15', kind: 'workday', note: '支部照常上班' }],
      })
      .expect(200);

    const info = async (org: { id: string }) =>
      (
        await as(admin)
          .get(`/api/v1/calendar/info?from=2026-12-14&to=2026-12-15&orgId=${org.id}`)
          .expect(200)
      ).body.days.map((d: { working: boolean }) => d.working);
    expect(await info(autonomous)).toEqual([false, false]);
    expect(await info(branch)).toEqual([false, true]);
    expect(await info(otherBranch)).toEqual([true, true]);
    await as(otherAdmin)
      .get(`/api/v1/calendar/info?from=2026-12-14&to=2026-12-15&orgId=${branch.id}`)
      .expect(404);

    // Only the subtree's timers are planned again, on the merged calendar.
    expect(await nextFireAt(inSubtree)).toBe(t.clock.now().getTime() + 2 * CALENDAR_REFRESH_MS);
    expect(await nextFireAt(elsewhere)).toBe(before);
    t.clock.advance(2 * CALENDAR_REFRESH_MS);
    await engine.sweep();
    // One working day fewer between the reminder and the deadline: it comes a day earlier.
    expect(before - (await nextFireAt(inSubtree))).toBe(DAY);
    expect(await nextFireAt(elsewhere)).toBe(before);
  });
});
