import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { verifyAuditChain } from '#duban/audit';
import { ApiClient } from '../support/api-client';
import { ownerTransaction } from '../support/owner-db';
import { assertBuilt } from '../support/processes';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

/**
 * 某某县委 (committee, raises problems)
 * └── 第一党总支 (general_branch)
 *     ├── 第一支部 (branch) — responsible unit
 *     └── 第二支部 (branch) — a sibling that must see nothing of the first
 */
describe('the rectification lifecycle over HTTP', () => {
  let t: TestApp;
  let api: ApiClient;
  let county: { id: string };
  let general: { id: string };
  let branchA: { id: string };
  let branchB: { id: string };
  let secretary: Person; // 县委书记: approves closures
  let deputy: Person; // 县委副书记
  let supervisor: Person; // 督查员: raises, verifies
  let branchSecretary: Person; // 第一支部书记
  let responsible: Person; // 责任人 in 第一支部
  let leader: Person; // 分管领导
  let siblingSecretary: Person; // 第二支部书记

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}, ifMatch?: number) => {
      const r = t.http().post(url).auth(p.token, { type: 'bearer' });
      return (ifMatch === undefined ? r : r.set('If-Match', String(ifMatch))).send(body);
    },
  });

  const dueIn = (days: number) =>
    new Date(t.clock.now().getTime() + days * 86400_000).toISOString();

  function problemBody(overrides: object = {}) {
    return {
      title: '第一支部未按规定开展“三会一课”',
      description: '2026年第三季度督查发现，支部党员大会、支委会会议记录缺失，党课未按计划开展。',
      category: 'organisational_life',
      severity: 'serious',
      source: 'quarterly_check',
      orgId: branchA.id,
      raisedByOrgId: county.id,
      campaign: '2026年第四季度党建督查',
      ...overrides,
    };
  }

  function measure(overrides: object = {}) {
    return {
      measure: '制定“三会一课”年度计划，逐月落实并建立会议记录台账',
      responsibleOrgId: branchA.id,
      responsibleUserId: responsible.id,
      leaderUserId: leader.id,
      mode: 'deadline',
      dueAt: dueIn(30),
      ...overrides,
    };
  }

  async function newTask(
    overrides: object = {},
  ): Promise<{ id: string; problemId: string; version: number }> {
    const res = await as(supervisor).post(
      '/api/v1/problems',
      problemBody({ tasks: [measure(overrides)] }),
    );
    expect(res.status).toBe(201);
    const task = res.body.tasks[0];
    return { id: task.id, problemId: res.body.id, version: task.version };
  }

  beforeAll(async () => {
    // Tokens must outlive the days this file moves the clock forward.
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
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
    secretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'county-secretary',
    );
    deputy = await api.createPerson(admin, [{ orgId: county.id, role: 'deputy' }], 'county-deputy');
    supervisor = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'supervisor' }],
      'supervisor',
    );
    branchSecretary = await api.createPerson(
      admin,
      [{ orgId: branchA.id, role: 'secretary' }],
      'branch-sec',
    );
    responsible = await api.createPerson(
      admin,
      [{ orgId: branchA.id, role: 'member' }],
      'responsible',
    );
    leader = await api.createPerson(admin, [{ orgId: county.id, role: 'member' }], 'leader');
    siblingSecretary = await api.createPerson(
      admin,
      [{ orgId: branchB.id, role: 'secretary' }],
      'sibling-sec',
    );
  });
  afterAll(() => t.close());

  it('walks a measure from assignment to closure, with a failed verification on the way', async () => {
    const task = await newTask();
    const url = `/api/v1/tasks/${task.id}`;

    let res = await as(responsible).post(`${url}/accept`, { comment: '已签收' }, task.version);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'in_progress', version: task.version + 1 });

    res = await as(responsible).post(`${url}/progress`, { content: '已制定年度计划', percent: 40 });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('in_progress');

    res = await as(responsible).post(`${url}/submit`, { summary: '计划已落实，台账已建立' });
    expect(res.body.state).toBe('submitted');

    // The submitter never verifies their own work.
    res = await as(responsible).post(`${url}/verify`, { passed: true, comment: '自己验收' });
    expect(res.status).toBe(403);

    res = await as(supervisor).post(`${url}/verify`, {
      passed: false,
      comment: '会议记录不全，退回重改',
    });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('in_progress');

    res = await as(responsible).post(`${url}/submit`, { summary: '已补齐会议记录' });
    expect(res.body.state).toBe('submitted');
    res = await as(supervisor).post(`${url}/verify`, { passed: true, comment: '验收通过' });
    expect(res.body.state).toBe('verified');

    // The verifier of this round cannot approve the closure; the superior can.
    res = await as(supervisor).post(`${url}/close`, {});
    expect(res.status).toBe(403);
    res = await as(secretary).post(`${url}/close`, { comment: '同意销号' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'closed', light: 'green' });
    expect(res.body.closedAt).toBe(t.clock.now().toISOString());

    const timeline = await as(branchSecretary).get(`${url}/timeline`).expect(200);
    expect(timeline.body.map((e: { type: string }) => e.type)).toEqual([
      'assigned',
      'accepted',
      'progress_reported',
      'submitted',
      'verification_failed',
      'submitted',
      'verification_passed',
      'closed',
    ]);
    expect(timeline.body[4]).toMatchObject({
      actorId: supervisor.id,
      from: 'submitted',
      to: 'in_progress',
      data: { comment: '会议记录不全，退回重改' },
    });
    expect(timeline.body.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const problem = await as(supervisor).get(`/api/v1/problems/${task.problemId}`).expect(200);
    expect(problem.body).toMatchObject({ state: 'closed', taskCount: 1, openTaskCount: 0 });
  });

  it('refuses every step to the wrong person, saying who may', async () => {
    const task = await newTask();
    const url = `/api/v1/tasks/${task.id}`;
    const accept = await as(supervisor).post(`${url}/accept`);
    expect(accept.status).toBe(403);
    expect(accept.body.message).toBe('签收须由责任人或责任单位书记办理');
    await as(responsible).post(`${url}/accept`).expect(200);
    // A plain member of the unit who is not the responsible person cannot submit for them.
    expect((await as(leader).post(`${url}/submit`, { summary: 'x' })).status).toBe(403);
    await as(branchSecretary)
      .post(`${url}/submit`, { summary: '支部书记代为申请销号' })
      .expect(200);
    // The branch secretary submitted; the deputy of the committee verifies; the secretary closes.
    expect((await as(branchSecretary).post(`${url}/verify`, { passed: true })).status).toBe(403);
    await as(deputy).post(`${url}/verify`, { passed: true, comment: '通过' }).expect(200);
    expect((await as(deputy).post(`${url}/close`)).status).toBe(403);
    expect((await as(responsible).post(`${url}/close`)).status).toBe(403);
    await as(secretary).post(`${url}/close`).expect(200);
    // Closing twice is a state conflict.
    const again = await as(secretary).post(`${url}/close`);
    expect(again.status).toBe(409);
  });

  it('speaks English to those who ask for it (Accept-Language: en), with the same codes', async () => {
    const task = await newTask();
    const url = `/api/v1/tasks/${task.id}`;
    const en = { 'Accept-Language': 'en' };
    // 401
    const anonymous = await t.http().get('/api/v1/tasks');
    expect(anonymous.body).toMatchObject({ code: 'unauthenticated', message: /^请先登录/ });
    const anonymousEn = await t.http().get('/api/v1/tasks').set(en);
    expect(anonymousEn.body).toMatchObject({
      code: 'unauthenticated',
      message: 'Authorization: a header "Bearer <token>" is required',
    });
    // 404
    const missing = `/api/v1/tasks/3f2b8c1e-0000-4000-8000-00000000abcd`;
    expect((await as(responsible).get(missing)).body).toMatchObject({
      code: 'not_found',
      message: '任务不存在或不在你的范围内',
    });
    expect((await as(responsible).get(missing).set(en)).body).toMatchObject({
      code: 'not_found',
      message:
        /^task 3f2b8c1e-0000-4000-8000-00000000abcd does not exist or is outside your scope$/,
    });
    // 409 (a stale version)
    const stale = await as(responsible)
      .post(`${url}/accept`, {}, task.version + 1)
      .set(en);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'stale_version',
      message: /^If-Match: task \S+ is at version \d+, not \d+; reload it and try again$/,
      // errors[] too: the field it is about, in the same language.
    });
    // 403 and 400 from the domain
    const refused = await as(supervisor).post(`${url}/accept`).set(en);
    expect(refused.body).toMatchObject({ code: 'forbidden', message: /^accepting a task is for / });
    const past = await as(supervisor)
      .post(
        '/api/v1/problems',
        problemBody({ tasks: [measure({ dueAt: undefined, dueDate: '2020-01-01' })] }),
      )
      .set(en);
    expect(past.body).toMatchObject({
      code: 'date_in_past',
      message: 'tasks[0].dueDate must be in the future',
      errors: [
        {
          field: 'tasks[0].dueDate',
          code: 'date_in_past',
          message: 'tasks[0].dueDate must be in the future',
        },
      ],
    });
    const pastZh = await as(supervisor).post(
      '/api/v1/problems',
      problemBody({ tasks: [measure({ dueAt: undefined, dueDate: '2020-01-01' })] }),
    );
    expect(pastZh.body.message).toBe('第1项措施的完成期限须为今后的日期，不能早于今天');
    // 400 from DTO validation
    const invalid = await as(responsible).post(`${url}/verify`, { passed: 'yes' }).set(en);
    expect(invalid.body).toMatchObject({ code: 'validation_failed', message: /passed/ });
    expect(invalid.body.message).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('answers 409 on a stale If-Match and lets exactly one of two racing transitions win', async () => {
    const task = await newTask();
    const url = `/api/v1/tasks/${task.id}`;
    const stale = await as(responsible).post(`${url}/accept`, {}, task.version + 5);
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(
      /^该任务已被他人更新（当前为第 \d+ 版，你看到的是第 \d+ 版），请刷新后重试$/,
    );
    const bad = await as(responsible).post(`${url}/accept`, {}).set('If-Match', 'abc');
    expect(bad.status).toBe(400);

    const results = await Promise.all([
      as(responsible).post(`${url}/accept`, {}, task.version),
      as(branchSecretary).post(`${url}/accept`, {}, task.version),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const timeline = await as(responsible).get(`${url}/timeline`).expect(200);
    expect(timeline.body.filter((e: { type: string }) => e.type === 'accepted')).toHaveLength(1);
  });

  it('chains every one of many concurrent reports on one measure onto the one before it', async () => {
    // Each transition reads its stream's audit head in its UPDATE, under the row lock: a head
    // read before the wait for that lock would be stale here and break the chain (or collide).
    const task = await newTask();
    const url = `/api/v1/tasks/${task.id}`;
    await as(responsible).post(`${url}/accept`, {}).expect(200);
    const reports = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        as(responsible).post(`${url}/progress`, { content: `第${i + 1}次进展` }),
      ),
    );
    expect(reports.map((r) => r.status)).toEqual(Array(12).fill(200));
    const events: { seq: number; prev_hash: string; hash: string }[] = await t.db.query(
      `SELECT seq, prev_hash, hash FROM audit_events WHERE stream_id = $1 ORDER BY seq`,
      [task.id],
    );
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.length).toBeGreaterThanOrEqual(14); // assigned, accepted, 12 reports
    for (let i = 1; i < events.length; i++) expect(events[i].prev_hash).toBe(events[i - 1].hash);
    expect((await verifyAuditChain(t.db)).firstBreak).toBeNull();
  });

  it('grants an extension asked before the deadline, keeps the history, and refuses one asked after', async () => {
    const task = await newTask({ dueAt: dueIn(2) });
    const url = `/api/v1/tasks/${task.id}`;
    await as(responsible).post(`${url}/accept`).expect(200);
    await as(responsible).post(`${url}/progress`, { content: '已完成一半' }).expect(200);

    const newDue = dueIn(4);
    const asked = await as(responsible).post(`${url}/extensions`, {
      newDueAt: newDue,
      reason: '需等待资金拨付',
    });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({
      state: 'pending',
      progress: '已完成一半',
      requestedBy: responsible.id,
    });

    // The one who asked cannot decide; a sibling cannot even see it.
    expect((await as(responsible).post(`/api/v1/extensions/${asked.body.id}/approve`)).status).toBe(
      403,
    );
    expect(
      (await as(siblingSecretary).post(`/api/v1/extensions/${asked.body.id}/approve`)).status,
    ).toBe(404);

    const approved = await as(secretary).post(`/api/v1/extensions/${asked.body.id}/approve`, {
      comment: '同意',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', decidedBy: secretary.id });
    const after = await as(responsible).get(url).expect(200);
    expect(after.body.dueAt).toBe(new Date(newDue).toISOString());
    expect(after.body.pendingExtension).toBeNull();

    // Past the (new) deadline an extension can no longer be asked for.
    t.clock.advance(5 * 86400_000);
    const late = await as(responsible).post(`${url}/extensions`, {
      newDueAt: dueIn(20),
      reason: '还需时间',
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      code: 'deadline_passed',
      message: '完成期限已过；延期须在期限届满前申请',
    });
    const overdue = await as(responsible).get(url).expect(200);
    expect(overdue.body.light).toBe('red');
    const red = await as(secretary).get(`/api/v1/tasks?light=red&orgId=${county.id}`).expect(200);
    expect(red.body.items.map((i: { id: string }) => i.id)).toContain(task.id);

    const history = await as(responsible).get(`${url}/extensions`).expect(200);
    expect(history.body).toHaveLength(1);
    const timeline = await as(responsible).get(`${url}/timeline`).expect(200);
    const approvedEvent = timeline.body.find(
      (e: { type: string }) => e.type === 'extension_approved',
    );
    expect(approvedEvent.data.newDueAt).toBe(new Date(newDue).toISOString());
  });

  it('reopens a closed measure (回头看), reopening its problem, and marks a returning problem recurring', async () => {
    const task = await newTask({ dueAt: dueIn(5) });
    const url = `/api/v1/tasks/${task.id}`;
    await as(responsible).post(`${url}/accept`).expect(200);
    await as(responsible).post(`${url}/submit`, { summary: '已整改' }).expect(200);
    await as(supervisor).post(`${url}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`${url}/close`).expect(200);
    expect((await as(supervisor).get(`/api/v1/problems/${task.problemId}`)).body.state).toBe(
      'closed',
    );

    expect((await as(supervisor).post(`${url}/reopen`, {})).status).toBe(400);
    expect((await as(responsible).post(`${url}/reopen`, { reason: '我想重开' })).status).toBe(403);
    const reopened = await as(supervisor).post(`${url}/reopen`, {
      reason: '回头看发现问题反弹',
      newDueAt: dueIn(20),
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body.state).toBe('in_progress');
    expect((await as(supervisor).get(`/api/v1/problems/${task.problemId}`)).body.state).toBe(
      'open',
    );

    // Close it again; then the same kind of problem raised in the same branch is 屡改屡犯.
    await as(responsible).post(`${url}/submit`, { summary: '再次整改完成' }).expect(200);
    await as(supervisor).post(`${url}/verify`, { passed: true }).expect(200);
    await as(secretary).post(`${url}/close`).expect(200);
    const again = await as(supervisor).post(
      '/api/v1/problems',
      problemBody({ title: '第一支部党课再次未开展' }),
    );
    expect(again.status).toBe(201);
    expect(again.body.recurring).toBe(true);
    expect(again.body.recurrenceOf).toContain(task.problemId);
    const negative = await as(secretary).get('/api/v1/problems?recurring=true').expect(200);
    expect(negative.body.items.map((p: { id: string }) => p.id)).toContain(again.body.id);
    expect(negative.body.items.every((p: { recurring: boolean }) => p.recurring)).toBe(true);
  });

  it('keeps the record tamper-evident: the chain verifies, and an altered row is named', async () => {
    assertBuilt();
    // `npm run audit:verify`, as an operator runs it against this database.
    const auditVerify = () =>
      spawnSync(process.execPath, [join(__dirname, '../../dist/libs/audit/src/cli/verify.js')], {
        env: { PATH: process.env.PATH, DATABASE_URL: t.config.DATABASE_URL },
        encoding: 'utf8',
      });
    const ok = await verifyAuditChain(t.db);
    expect(ok.firstBreak).toBeNull();
    expect(ok.events).toBeGreaterThan(20);
    const clean = auditVerify();
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/audit chain intact/);

    // The app's role may not rewrite the record at all; the owner is stopped by the triggers.
    await expect(t.db.query(`UPDATE audit_events SET data = '{}' WHERE seq = 1`)).rejects.toThrow(
      /permission denied for table audit_events/,
    );
    await expect(t.db.query(`DELETE FROM audit_events`)).rejects.toThrow(/permission denied/);
    await expect(
      ownerTransaction(t.config.DATABASE_URL, (m) => m.query(`DELETE FROM audit_events`)),
    ).rejects.toThrow(/append-only/);

    const [victim] = await t.db.query(
      `SELECT id::text AS id FROM audit_events WHERE type = 'submitted' LIMIT 1`,
    );
    // What a database owner could do: switch the guard off, rewrite history, switch it back on.
    await ownerTransaction(t.config.DATABASE_URL, async (m) => {
      await m.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
      await m.query(
        `UPDATE audit_events SET data = jsonb_set(data, '{summary}', '"篡改"') WHERE id = $1`,
        [victim.id],
      );
      await m.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
    });
    const broken = await verifyAuditChain(t.db);
    expect(broken.firstBreak).toMatchObject({
      eventId: victim.id,
      problem: expect.stringMatching(/altered/),
    });
    const tampered = auditVerify();
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain(`BROKEN at event ${victim.id}`);
  });
});

describe('raising problems and assigning measures: who may, and where', () => {
  let t: TestApp;
  let api: ApiClient;
  let county: { id: string };
  let branchA: { id: string };
  let branchB: { id: string };
  let supervisor: Person;
  let memberA: Person;
  let secretaryB: Person;
  let outsider: Person;

  beforeAll(async () => {
    t = await startTestApp();
    api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '县委', kind: 'committee' });
    branchA = await api.createOrg(admin, { name: '甲支部', kind: 'branch', parentId: county.id });
    branchB = await api.createOrg(admin, { name: '乙支部', kind: 'branch', parentId: county.id });
    supervisor = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'sup');
    memberA = await api.createPerson(admin, [{ orgId: branchA.id, role: 'member' }], 'member-a');
    secretaryB = await api.createPerson(admin, [{ orgId: branchB.id, role: 'secretary' }], 'sec-b');
    outsider = await api.createPerson(admin, [], 'outsider');
  });
  afterAll(() => t.close());

  const post = (p: Person, url: string, body: object) =>
    t.http().post(url).auth(p.token, { type: 'bearer' }).send(body);
  const base = () => ({
    title: '党员教育管理松散',
    description: '流动党员长期失联',
    category: 'member_education',
    severity: 'general',
    source: 'self_inspection',
    orgId: branchA.id,
    raisedByOrgId: county.id,
  });

  it('refuses members, siblings and unknown categories, with reasons', async () => {
    expect(
      (await post(memberA, '/api/v1/problems', { ...base(), raisedByOrgId: branchA.id })).status,
    ).toBe(403);
    expect(
      (await post(secretaryB, '/api/v1/problems', { ...base(), raisedByOrgId: branchB.id })).status,
    ).toBe(404);
    const cat = await post(supervisor, '/api/v1/problems', { ...base(), category: 'astrology' });
    expect(cat.status).toBe(400);
    expect(cat.body.message).toMatch(/^问题类别须为以下之一：political_function、/);
    const sev = await post(supervisor, '/api/v1/problems', { ...base(), severity: 'huge' });
    expect(sev.body.errors).toEqual([
      {
        field: 'severity',
        code: 'not_allowed',
        message: '严重程度须为以下之一：general、serious、critical',
      },
    ]);
    expect((await post(outsider, '/api/v1/problems', base())).status).toBe(404);
  });

  it('creates a problem with several measures at once, or nothing at all', async () => {
    const due = new Date(t.clock.now().getTime() + 20 * 86400_000).toISOString();
    const ok = await post(supervisor, '/api/v1/problems', {
      ...base(),
      tasks: [
        {
          measure: '建立流动党员台账',
          responsibleOrgId: branchA.id,
          responsibleUserId: memberA.id,
          mode: 'deadline',
          dueAt: due,
        },
        {
          measure: '每季度联系一次流动党员',
          responsibleOrgId: branchA.id,
          responsibleUserId: memberA.id,
          mode: 'standing',
        },
      ],
    });
    expect(ok.status).toBe(201);
    expect(ok.body.tasks).toHaveLength(2);
    expect(ok.body.tasks.map((x: { state: string }) => x.state)).toEqual(['assigned', 'assigned']);
    expect(ok.body.tasks.find((x: { mode: string }) => x.mode === 'standing').dueAt).toBeNull();

    const before = (await t.db.query(`SELECT count(*)::int AS n FROM problems`))[0].n;
    // The second measure names a person with no role in the responsible org: all is refused.
    const bad = await post(supervisor, '/api/v1/problems', {
      ...base(),
      title: '不应写入',
      tasks: [
        {
          measure: '措施一',
          responsibleOrgId: branchA.id,
          responsibleUserId: memberA.id,
          mode: 'deadline',
          dueAt: due,
        },
        {
          measure: '措施二',
          responsibleOrgId: branchB.id,
          responsibleUserId: memberA.id,
          mode: 'deadline',
          dueAt: due,
        },
      ],
    });
    expect(bad.status).toBe(403);
    expect(bad.body.message).toBe('责任人须在责任单位担任职务');
    expect((await t.db.query(`SELECT count(*)::int AS n FROM problems`))[0].n).toBe(before);
  });

  it('validates deadlines: dueDate is the end of that day in the org’s zone; none for standing; never past', async () => {
    const problem = await post(supervisor, '/api/v1/problems', base());
    const url = `/api/v1/problems/${problem.body.id}/tasks`;
    const task = {
      measure: '措施',
      responsibleOrgId: branchA.id,
      responsibleUserId: memberA.id,
      mode: 'deadline',
    };
    const byDate = await post(supervisor, url, { ...task, dueDate: '2026-12-31' });
    expect(byDate.status).toBe(201);
    expect(byDate.body.task.dueAt).toBe('2026-12-31T15:59:59.999Z');
    expect(byDate.body.warnings).toEqual([]);
    expect((await post(supervisor, url, { ...task })).body).toMatchObject({
      code: 'required',
      message: '请填写完成期限（YYYY-MM-DD）',
    });
    expect((await post(supervisor, url, { ...task, dueDate: '2020-01-01' })).body).toMatchObject({
      code: 'date_in_past',
      message: '完成期限须为今后的日期，不能早于今天',
    });
    expect((await post(supervisor, url, { ...task, dueDate: '2026-13-45' })).status).toBe(400);
    expect(
      (await post(supervisor, url, { ...task, mode: 'standing', dueDate: '2026-12-31' })).status,
    ).toBe(400);
    const far = await post(supervisor, url, { ...task, dueDate: '2031-06-30' });
    expect(far.status).toBe(201);
    expect(far.body.warnings[0]).toMatch(/超出已知节假日数据范围/);
  });

  it('lists and searches within scope only, in Chinese, soonest deadline first', async () => {
    const list = await t
      .http()
      .get('/api/v1/tasks')
      .auth(memberA.token, { type: 'bearer' })
      .expect(200);
    expect(list.body.total).toBeGreaterThan(0);
    const dues = list.body.items.map((x: { dueAt: string | null }) => x.dueAt ?? '9999');
    expect([...dues].sort()).toEqual(dues);
    // A page past the end has no items but still the total.
    const pastEnd = await t
      .http()
      .get('/api/v1/tasks?page=99')
      .auth(memberA.token, { type: 'bearer' })
      .expect(200);
    expect(pastEnd.body).toMatchObject({ items: [], total: list.body.total, page: 99 });
    // A filter on the problem's text: the total counts through the problem join too.
    const byText = await t
      .http()
      .get(`/api/v1/tasks?q=${encodeURIComponent('流动党员')}`)
      .auth(memberA.token, { type: 'bearer' })
      .expect(200);
    expect(byText.body.total).toBe(byText.body.items.length);
    expect(byText.body.total).toBeGreaterThan(0);
    const sibling = await t
      .http()
      .get('/api/v1/tasks')
      .auth(secretaryB.token, { type: 'bearer' })
      .expect(200);
    expect(sibling.body.total).toBe(0);
    const found = await t
      .http()
      .get(`/api/v1/problems?q=${encodeURIComponent('流动党员')}`)
      .auth(supervisor.token, { type: 'bearer' })
      .expect(200);
    expect(found.body.total).toBeGreaterThan(0);
    const none = await t
      .http()
      .get(`/api/v1/problems?q=${encodeURIComponent('阵地经费')}`)
      .auth(supervisor.token, { type: 'bearer' })
      .expect(200);
    expect(none.body.total).toBe(0);
  });
});
