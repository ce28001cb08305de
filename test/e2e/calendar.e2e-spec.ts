import { CALENDAR_REFRESH_MS, CalendarService } from '#duban/rectification';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

/** chinese-days 1.5.7 knows 2004–2026; 2027 is the year operators must add by hand. */
describe('the working-day calendar and its overrides', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let admin: Person;
  let orgAdmin: Person;
  let supervisor: Person;
  let responsible: Person;
  let county: { id: string };
  let branch: { id: string };
  let problemId: string;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: unknown) =>
      t
        .http()
        .put(url)
        .auth(p.token, { type: 'bearer' })
        .send(body as object),
    delete: (url: string) => t.http().delete(url).auth(p.token, { type: 'bearer' }),
  });

  const day = async (date: string) =>
    (await as(responsible).get(`/api/v1/calendar/info?from=${date}&to=${date}`).expect(200)).body
      .days[0];

  async function assign(dueDate: string): Promise<{ id: string; warnings: string[] }> {
    const res = await as(supervisor).post(`/api/v1/problems/${problemId}/tasks`, {
      measure: '建立会议记录台账',
      responsibleOrgId: branch.id,
      responsibleUserId: responsible.id,
      mode: 'deadline',
      dueDate,
    });
    expect(res.status).toBe(201);
    return { id: res.body.task.id, warnings: res.body.warnings };
  }

  const nextFireAt = async (taskId: string): Promise<Date> =>
    (await t.db.query(`SELECT next_fire_at FROM task_timers WHERE task_id = $1`, [taskId]))[0]
      ?.next_fire_at;

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    const adminToken = await api.adminToken();
    const me = await t.http().get('/api/v1/me').auth(adminToken, { type: 'bearer' }).expect(200);
    admin = { id: me.body.id, token: adminToken };
    county = await api.createOrg(adminToken, { name: '某县委', kind: 'committee' });
    branch = await api.createOrg(adminToken, {
      name: '某支部',
      kind: 'branch',
      parentId: county.id,
    });
    orgAdmin = await api.createPerson(adminToken, [{ orgId: county.id, role: 'admin' }], 'admin');
    supervisor = await api.createPerson(
      adminToken,
      [{ orgId: county.id, role: 'supervisor' }],
      'supervisor',
    );
    responsible = await api.createPerson(
      adminToken,
      [{ orgId: branch.id, role: 'member' }],
      'responsible',
    );
    const problem = await as(supervisor).post('/api/v1/problems', {
      title: '支部会议记录不全',
      description: '督查发现会议记录缺失',
      category: 'organisational_life',
      severity: 'general',
      source: 'quarterly_check',
      orgId: branch.id,
      raisedByOrgId: county.id,
    });
    expect(problem.status).toBe(201);
    problemId = problem.body.id;
    await engine.sweep(); // the quarter's start-of-quarter run, out of the way
  });
  afterAll(() => t.close());

  it('says which days are working days and which are known, for a date picker', async () => {
    const res = await as(responsible)
      .get('/api/v1/calendar/info?from=2026-09-30&to=2026-10-11')
      .expect(200);
    expect(res.body.days).toHaveLength(12);
    const byDate = Object.fromEntries(
      res.body.days.map((d: { date: string }) => [d.date, d]),
    ) as Record<string, { working: boolean; known: boolean; source: string; name: string }>;
    expect(byDate['2026-09-30']).toMatchObject({ working: true, known: true });
    expect(byDate['2026-10-01']).toMatchObject({
      working: false,
      known: true,
      source: 'holiday_data',
      name: '国庆节',
    });
    expect(res.body.knownRange).toEqual({ from: '2004-01-01', to: '2026-12-31' });
    expect(await day('2027-01-04')).toMatchObject({
      working: true, // a Monday, by the weekday rule
      known: false,
      source: 'weekday_rule',
    });
    const bad = await as(responsible).get('/api/v1/calendar/info?from=2027-01-10&to=2027-01-01');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      message: '结束日期不能早于开始日期',
      errors: [{ field: 'to', message: '结束日期不能早于开始日期' }],
    });
    await as(responsible).get('/api/v1/calendar/info?from=2026-01-01&to=2027-06-01').expect(400);
    await as(responsible).get('/api/v1/calendar/info?from=2027-02-30&to=2027-03-01').expect(400);
  });

  it('lets only the system administrator change the national calendar', async () => {
    const entries = [{ date: '2027-01-04', kind: 'holiday' }];
    const res = await as(supervisor).put('/api/v1/calendar/overrides', { entries });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(res.body.message).toMatch(/系统管理员/);
    await as(responsible).delete('/api/v1/calendar/overrides/2027-01-04').expect(403);
    await t.http().put('/api/v1/calendar/overrides').send({ entries }).expect(401);
    // The national calendar moves every deadline in the tree: not an org admin's to change.
    const byOrgAdmin = await as(orgAdmin).put('/api/v1/calendar/overrides', { entries });
    expect(byOrgAdmin.status).toBe(403);
    expect(byOrgAdmin.body.message).toMatch(/calendar-overrides/);
    await as(orgAdmin).delete('/api/v1/calendar/overrides/2027-01-04').expect(403);
  });

  it('refuses bad entries with a 400 naming each one', async () => {
    const res = await as(admin).put('/api/v1/calendar/overrides', {
      entries: [
        { date: '2027-01-04', kind: 'holiday' },
        { date: '2027-02-30', kind: 'holiday' },
        { date: '2027-01-04', kind: 'weekend' },
      ],
    });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['entries[1].date', 'entries[2].date', 'entries[2].kind']),
    );
    expect(res.body.message).toMatch(/第2条的日期须为日期，格式 YYYY-MM-DD/);
    for (const body of [{}, { entries: [] }, { entries: [{ date: '2027-01-04' }], extra: 1 }]) {
      const r = await as(admin).put('/api/v1/calendar/overrides', body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
    }
    expect((await as(admin).get('/api/v1/calendar/overrides').expect(200)).body.total).toBe(0);
  });

  it('makes 2027 known with an override, which removes the deadline warning and re-plans timers', async () => {
    // Beyond the package's data: accepted, with a warning.
    const before = await assign('2027-01-05');
    expect(before.warnings).toHaveLength(1);
    expect(before.warnings[0]).toMatch(/2027-01-05.*beyond the known holiday calendar/);
    await engine.sweep(); // plans the ladder on the Monday-to-Friday assumption
    const plannedBefore = await nextFireAt(before.id);
    expect(plannedBefore.getTime()).toBeGreaterThan(t.clock.now().getTime() + 86400_000);

    const put = await as(admin)
      .put('/api/v1/calendar/overrides', {
        entries: [
          { date: '2027-01-04', kind: 'holiday', note: '测试假日' },
          { date: '2027-01-01', kind: 'holiday', note: '元旦' },
        ],
      })
      .expect(200);
    expect(put.body.items.map((i: { date: string }) => i.date)).toEqual([
      '2027-01-01',
      '2027-01-04',
    ]);
    expect(put.body.items[1]).toMatchObject({
      kind: 'holiday',
      note: '测试假日',
      updatedBy: admin.id,
    });
    expect(put.body.warnings).toHaveLength(1);
    expect(put.body.warnings[0]).toMatch(/2027/);

    expect(await day('2027-01-04')).toMatchObject({
      working: false,
      known: true,
      source: 'override',
      name: '测试假日',
    });
    // The whole year now counts as known.
    expect(await day('2027-01-05')).toMatchObject({ working: true, known: true });
    const info = await as(responsible)
      .get('/api/v1/calendar/info?from=2027-01-01&to=2027-01-01')
      .expect(200);
    expect(info.body.knownRange).toEqual({ from: '2004-01-01', to: '2027-12-31' });

    const after = await assign('2027-03-01');
    expect(after.warnings).toEqual([]);

    // The pending reminder was pulled forward to be planned again on the new calendar...
    expect((await nextFireAt(before.id)).getTime()).toBe(
      t.clock.now().getTime() + 2 * CALENDAR_REFRESH_MS,
    );
    t.clock.advance(2 * CALENDAR_REFRESH_MS);
    await engine.sweep();
    // ...where seven working days before 5 January now start a day earlier (1 and 4 January off).
    const plannedAfter = await nextFireAt(before.id);
    expect(plannedBefore.getTime() - plannedAfter.getTime()).toBe(2 * 86400_000);

    const listed = await as(responsible).get('/api/v1/calendar/overrides?year=2027').expect(200);
    expect(listed.body.total).toBe(2);
    expect((await as(responsible).get('/api/v1/calendar/overrides?year=2026')).body.total).toBe(0);
    await as(responsible).get('/api/v1/calendar/overrides?year=27x').expect(400);
  });

  it('removes an override; with none left for 2027 the year is unknown again', async () => {
    await as(admin).delete('/api/v1/calendar/overrides/2027-01-04').expect(204);
    expect(await day('2027-01-04')).toMatchObject({ working: true, known: true });
    await as(admin).delete('/api/v1/calendar/overrides/2027-01-04').expect(404);
    await as(admin).delete('/api/v1/calendar/overrides/4-Jan').expect(400);
    await as(admin).delete('/api/v1/calendar/overrides/2027-01-01').expect(204);
    expect(await day('2027-01-04')).toMatchObject({ working: true, known: false });
    expect((await assign('2027-03-01')).warnings).toHaveLength(1);
  });

  it('picks up changes made by another process when it next checks', async () => {
    const calendar = t.app.get(CalendarService);
    expect(await calendar.refreshIfChanged()).toBe(false);
    // As the worker or another api instance would see a change made elsewhere.
    await t.db.query(
      `INSERT INTO calendar_overrides (date, kind, note, updated_by, updated_at)
       VALUES ('2027-02-13', 'workday', '调休上班', NULL, now())`,
    );
    expect(await day('2027-02-13')).toMatchObject({ working: false, known: false });
    expect(await calendar.refreshIfChanged()).toBe(true);
    expect(await day('2027-02-13')).toMatchObject({
      working: true,
      known: true,
      source: 'override',
      name: '调休上班',
    });
    expect(await calendar.refreshIfChanged()).toBe(false);
    await t.db.query(`UPDATE calendar_overrides SET note = '春节调休' WHERE date = '2027-02-13'`);
    expect(await calendar.refreshIfChanged()).toBe(true);
    expect((await day('2027-02-13')).name).toBe('春节调休');
  });
});
