import { DeliveryDueSource, DeliveryProcessor } from '#duban/notifications';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { TestSmtpServer } from '../support/notification-servers';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; username: string; token: string; email: string };
type Org = { id: string };

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The ladder in calendar days, so a quarter can be walked by moving the clock. */
const DAILY_POLICY = {
  remindBefore: ['P2D'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'P2D', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'P4D', notify: ['secretary', 'superior', 'leader'] },
    { level: 4, name: '问责', after: 'P6D', notify: ['discipline', 'secretary'] },
  ],
};

interface World {
  t: TestApp;
  api: ApiClient;
  engine: EngineDriver;
  county: Org;
  branch: Org;
  sup: Person;
  sec: Person;
  disc: Person;
  bsec: Person;
  owner: Person;
  leader: Person;
}

async function world(t: TestApp): Promise<World> {
  const api = new ApiClient(t);
  const admin = await api.adminToken();
  const county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
  const branch = await api.createOrg(admin, {
    name: '机关第一支部',
    kind: 'branch',
    parentId: county.id,
  });
  const person = async (orgId: string, role: string, name: string): Promise<Person> => {
    const p = await api.createPerson(admin, [{ orgId, role }], name);
    const email = `${p.username}@example.org`;
    await t.db.query('UPDATE users SET email = $2 WHERE id = $1', [p.id, email]);
    return { ...p, email };
  };
  return {
    t,
    api,
    engine: new EngineDriver(t),
    county,
    branch,
    sup: await person(county.id, 'supervisor', 'sup'),
    sec: await person(county.id, 'secretary', 'sec'),
    disc: await person(county.id, 'discipline', 'disc'),
    bsec: await person(branch.id, 'secretary', 'bsec'),
    owner: await person(branch.id, 'member', 'owner'),
    leader: await person(branch.id, 'deputy', 'leader'),
  };
}

const as = (t: TestApp, p: Person) => ({
  get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
  post: (url: string, body: object = {}) =>
    t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
  put: (url: string, body: object = {}) =>
    t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
});

async function raise(
  w: World,
  title: string,
  measures: { measure: string; dueDate: string }[],
): Promise<string[]> {
  const res = await as(w.t, w.sup).post('/api/v1/problems', {
    title,
    description: '学习流于形式，记录不全',
    category: 'member_education',
    severity: 'general',
    source: 'self_inspection',
    orgId: w.branch.id,
    raisedByOrgId: w.county.id,
    tasks: measures.map((m) => ({
      ...m,
      responsibleOrgId: w.branch.id,
      responsibleUserId: w.owner.id,
      leaderUserId: w.leader.id,
      mode: 'deadline',
    })),
  });
  expect(res.status).toBe(201);
  // In the order the measures were given (the response lists them by deadline).
  const tasks: { id: string; measure: string }[] = res.body.tasks;
  return measures.map((m) => tasks.find((x) => x.measure === m.measure)!.id);
}

interface NoticeRow {
  kind: string;
  title: string;
  data: { tasks?: { id: string; reason?: string }[]; level?: number; quarter?: string };
  urgent: boolean;
}

const noticesOf = (t: TestApp, p: Person, kind?: string): Promise<NoticeRow[]> =>
  t.db.query(
    `SELECT kind, title, data, urgent FROM notifications
      WHERE user_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY created_at, id`,
    [p.id, kind ?? null],
  );

describe('workflow notices: people are told when work lands on them', () => {
  let w: World;
  beforeAll(async () => {
    const t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    t.clock.set('2026-12-01T01:00:00Z');
    w = await world(t);
  });
  afterAll(() => w.t.close());

  it('tells each step’s people once, in one notice per problem listing the measures', async () => {
    const { t } = w;
    const [m1, m2, m3] = await raise(w, '党员教育不到位', [
      { measure: '建立学习台账', dueDate: '2027-01-31' },
      { measure: '补齐学习记录', dueDate: '2027-01-31' },
      { measure: '开展专题学习', dueDate: '2027-02-28' },
    ]);
    // Assigned: the responsible person and the leader, one notice each, listing all three.
    for (const p of [w.owner, w.leader]) {
      const assigned = await noticesOf(t, p, 'task_assigned');
      expect(assigned).toHaveLength(1);
      expect(assigned[0].title).toBe('【交办】“党员教育不到位”的3项整改措施已交办给您');
      expect(assigned[0].data.tasks!.map((x) => x.id).sort()).toEqual([m1, m2, m3].sort());
      expect(assigned[0].urgent).toBe(false);
    }
    expect(await noticesOf(t, w.sup)).toEqual([]); // never told of their own act

    // Submitted: those who may verify (the committee's supervisor), one notice for two.
    for (const id of [m1, m2]) {
      await as(t, w.owner).post(`/api/v1/tasks/${id}/accept`).expect(200);
      await as(t, w.owner)
        .post(`/api/v1/tasks/${id}/submit`, { summary: '已按要求完成整改' })
        .expect(200);
    }
    const submitted = await noticesOf(t, w.sup, 'task_submitted');
    expect(submitted).toHaveLength(1);
    expect(submitted[0].data.tasks!.map((x) => x.id).sort()).toEqual([m1, m2].sort());
    expect(await noticesOf(t, w.sec, 'task_submitted')).toEqual([]);

    // Verified → those who may close; returned → the responsible person, with the reason.
    await as(t, w.sup).post(`/api/v1/tasks/${m1}/verify`, { passed: true }).expect(200);
    await as(t, w.sup)
      .post(`/api/v1/tasks/${m2}/verify`, { passed: false, comment: '缺少11月学习记录' })
      .expect(200);
    const verified = await noticesOf(t, w.sec, 'task_verified');
    expect(verified).toHaveLength(1);
    expect(verified[0].title).toBe('【待销号】“建立学习台账”已通过验收');
    const returned = await noticesOf(t, w.owner, 'task_returned');
    expect(returned).toHaveLength(1);
    expect(returned[0].data.tasks![0]).toMatchObject({ id: m2, reason: '缺少11月学习记录' });
    expect(returned[0].title).toContain('补齐学习记录');

    // Extension requested → its approvers; decided → the requester.
    await as(t, w.owner).post(`/api/v1/tasks/${m3}/accept`).expect(200);
    const ext = await as(t, w.owner).post(`/api/v1/tasks/${m3}/extensions`, {
      newDueDate: '2027-03-31',
      reason: '需等待上级党校统一安排',
      progress: '已制定学习计划',
    });
    expect(ext.status).toBe(201);
    const asked = await noticesOf(t, w.sec, 'extension_requested');
    expect(asked).toHaveLength(1);
    expect(asked[0].data.tasks![0]).toMatchObject({ id: m3, reason: '需等待上级党校统一安排' });
    await as(t, w.sec)
      .post(`/api/v1/extensions/${ext.body.id}/approve`, { comment: '同意' })
      .expect((r) => expect([200, 201]).toContain(r.status));
    const decided = await noticesOf(t, w.owner, 'extension_decided');
    expect(decided).toHaveLength(1);
    expect(decided[0].title).toBe('【延期审批】“开展专题学习”的延期申请已批准');

    // A refused transition tells nobody (the notice is written in its transaction).
    const before = (await noticesOf(t, w.sec)).length;
    await as(t, w.owner).post(`/api/v1/tasks/${m1}/close`).expect(403);
    expect(await noticesOf(t, w.sec)).toHaveLength(before);
  });
});

describe('the policy that governs a task', () => {
  let w: World;
  beforeAll(async () => {
    const t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    t.clock.set('2026-12-01T01:00:00Z');
    w = await world(t);
  });
  afterAll(() => w.t.close());

  it('is the raising org’s (inherited), never the responsible branch’s own', async () => {
    const { t } = w;
    const [id] = await raise(w, '制度执行不严', [
      { measure: '修订议事规则', dueDate: '2027-01-31' },
    ]);
    const governing = async () => {
      const res = await as(t, w.owner).get(`/api/v1/tasks/${id}`).expect(200);
      return { policyOrgId: res.body.policyOrgId, policyInherited: res.body.policyInherited };
    };
    expect(await governing()).toEqual({ policyOrgId: null, policyInherited: true });
    // The responsible branch sets its own rule: it governs what the branch raises, not this.
    await as(t, w.bsec)
      .put(`/api/v1/orgs/${w.branch.id}/escalation-policy`, DAILY_POLICY)
      .expect(200);
    expect(await governing()).toEqual({ policyOrgId: null, policyInherited: true });
    await as(t, w.sec)
      .put(`/api/v1/orgs/${w.county.id}/escalation-policy`, DAILY_POLICY)
      .expect(200);
    expect(await governing()).toEqual({ policyOrgId: w.county.id, policyInherited: false });
  });
});

describe('the quarterly notice on a fresh install mid-quarter', () => {
  let w: World;
  beforeAll(async () => {
    const t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    t.clock.set('2026-09-10T02:00:00Z'); // Q3: the measures exist before Q4 starts
    w = await world(t);
  });
  afterAll(() => w.t.close());

  it('never asks for a report by a past date, and sends one quarterly message per person', async () => {
    const { t } = w;
    await raise(w, '组织生活不规范', [
      { measure: '规范“三会一课”', dueDate: '2027-06-30' },
      { measure: '建立组织生活台账', dueDate: '2027-06-30' },
    ]);
    // Installed (first sweep) on day 20 of Q4: the grace period is over, both runs are due.
    t.clock.set('2026-10-20T02:00:00Z');
    const jobs = await w.engine.sweep();
    expect(
      jobs
        .map((j) => j.name)
        .filter((n) => n.startsWith('quarter'))
        .sort(),
    ).toEqual(['quarter-late', 'quarter-start']);
    await w.engine.sweep();
    const quarterly = async (p: Person) =>
      (await noticesOf(t, p)).filter((n) => n.kind.startsWith('quarterly_'));
    const owner = await quarterly(w.owner);
    expect(owner.map((n) => n.kind)).toEqual(['quarterly_report_late']);
    expect(await quarterly(w.leader)).toHaveLength(1);
    const runs: { kind: string; affected: number }[] = await t.db.query(
      `SELECT kind, affected FROM quarter_runs WHERE quarter = '2026Q4' ORDER BY kind`,
    );
    expect(runs).toEqual([
      { kind: 'late', affected: 2 },
      { kind: 'start', affected: 0 },
    ]);

    // The next quarter starts on time: its message asks for a date still ahead.
    t.clock.set('2026-12-31T16:00:05Z');
    await w.engine.sweep();
    const due = (await noticesOf(t, w.owner, 'quarterly_report_due')) as (NoticeRow & {
      data: { reportBy: string };
    })[];
    expect(due).toHaveLength(1);
    expect(new Date(due[0].data.reportBy).getTime()).toBeGreaterThan(t.clock.now().getTime());
  });
});

describe('减负: a quarter of 50 measures in compressed time', () => {
  const smtp = new TestSmtpServer();
  let w: World;
  beforeAll(async () => {
    const port = await smtp.start();
    const t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      DUBAN_SMTP_TIMEOUT_MS: '5000',
      DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400),
    });
    t.clock.set('2026-12-20T01:00:00Z'); // 09:00 in Shanghai, late in Q4
    w = await world(t);
  });
  afterAll(async () => {
    await w?.t.close();
    await smtp.close();
  });

  async function deliver(): Promise<void> {
    for (;;) {
      const jobs = await w.t.app.get(DeliveryDueSource).claim(w.t.clock.now(), 500);
      if (jobs.length === 0) return;
      for (const job of jobs) {
        await w.t.app.get(DeliveryProcessor).deliver(job.data.deliveryId as string);
      }
    }
  }

  it('gives each person at most one routine message a day, and every escalation arrives', async () => {
    const { t } = w;
    await as(t, w.sec)
      .put(`/api/v1/orgs/${w.county.id}/escalation-policy`, DAILY_POLICY)
      .expect(200);
    // 50 measures, ten deadlines a week apart, five measures on each.
    const measures = Array.from({ length: 50 }, (_, i) => ({
      measure: `整改措施第${i + 1}项`,
      dueDate: new Date(Date.UTC(2027, 0, 8 + 7 * (i % 10))).toISOString().slice(0, 10),
    }));
    const ids = await raise(w, '基层党建工作薄弱', measures);
    for (const id of ids.slice(0, 25)) {
      await as(t, w.owner).post(`/api/v1/tasks/${id}/accept`).expect(200);
    }

    // The quarter and its ladder, every three hours, to the last step of the last measure.
    const end = new Date('2027-03-30T00:00:00Z').getTime();
    while (t.clock.now().getTime() < end) {
      await w.engine.sweep();
      await w.engine.sweep();
      await deliver();
      t.clock.advance(3 * HOUR);
    }
    t.clock.advance(DAY);
    await w.engine.sweep();
    await deliver();

    // Every step of every measure was taken, and each of its notices was e-mailed.
    const steps: { n: number }[] = await t.db.query(
      `SELECT count(*)::int AS n FROM task_effects WHERE kind = 'step' AND NOT superseded
          AND task_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(steps[0].n).toBe(200);
    const unsent: { kind: string; user_id: string; title: string }[] = await t.db.query(
      `SELECT n.kind, n.user_id, n.title FROM notifications n
        WHERE n.kind IN ('escalation', 'accountability_opened', 'case_opened_subject')
          AND NOT EXISTS (SELECT 1 FROM deliveries d
                           WHERE (d.notification_id = n.id AND d.chase = 0 AND d.state = 'sent'))`,
    );
    expect(unsent).toEqual([]);
    // Each step reached everyone it names: the record lists them, their inbox has the measure.
    const effects: { task_id: string; level: number; notified: string[] }[] = await t.db.query(
      `SELECT task_id, level, notified FROM task_effects WHERE kind = 'step' AND task_id = ANY($1::uuid[])`,
      [ids],
    );
    const told: { user_id: string; kind: string; level: number | null; task_id: string }[] =
      await t.db.query(
        `SELECT n.user_id, n.kind, (n.data->>'level')::int AS level, x.id AS task_id
           FROM notifications n,
                jsonb_to_recordset(coalesce(n.data->'tasks', jsonb_build_array(jsonb_build_object('id', n.data->>'taskId')))) AS x(id uuid)
          WHERE n.kind IN ('escalation', 'accountability_opened', 'case_opened_subject')`,
      );
    const has = new Set(
      told.map((r) => `${r.user_id} ${r.task_id} ${r.kind === 'escalation' ? r.level : 4}`),
    );
    for (const e of effects) {
      expect(e.notified.length).toBeGreaterThan(0);
      for (const u of e.notified) expect(has.has(`${u} ${e.task_id} ${e.level}`)).toBe(true);
    }
    // The inspector got one mail per case, not two.
    const inspector = smtp.to(w.disc.email).map((m) => m.subject);
    expect(inspector.filter((s) => s.includes('已启动问责程序')).length).toBeGreaterThan(0);
    expect(
      inspector.filter((s) => s.startsWith('【问责】') && !s.includes('已启动问责程序')),
    ).toEqual([]);

    // Routine messages: at most one a day per person and channel (the daily digest).
    const routine: { user_id: string; day: string; channel: string; n: number }[] =
      await t.db.query(
        `SELECT d.user_id, d.channel, (d.sent_at AT TIME ZONE 'Asia/Shanghai')::date::text AS day,
                count(*)::int AS n
           FROM deliveries d LEFT JOIN notifications n ON n.id = d.notification_id
          WHERE d.state = 'sent' AND d.user_id IS NOT NULL AND d.digest_id IS NULL
            AND (d.is_digest OR (NOT n.urgent AND d.chase = 0))
          GROUP BY 1, 2, 3 HAVING count(*) > 1`,
      );
    expect(routine).toEqual([]);
    // And the routine notices were not lost: the quarter's and the 催办 reached the owner.
    const digests = smtp.to(w.owner.email).filter((m) => m.subject.startsWith('【督办】每日汇总'));
    expect(digests.length).toBeGreaterThan(0);
    const ownerKinds = new Set((await noticesOf(t, w.owner)).map((n) => n.kind));
    for (const kind of ['task_assigned', 'reminder', 'escalation', 'quarterly_report_due']) {
      expect(ownerKinds).toContain(kind);
    }
    // 50 measures never made 50 urges a day: the burst of each step is one notice.
    const perDay: { n: number }[] = await t.db.query(
      `SELECT max(c)::int AS n FROM (
         SELECT count(*) AS c FROM notifications WHERE user_id = $1
          GROUP BY (created_at AT TIME ZONE 'Asia/Shanghai')::date) x`,
      [w.owner.id],
    );
    expect(perDay[0].n).toBeLessThanOrEqual(6);
  }, 600_000);
});
