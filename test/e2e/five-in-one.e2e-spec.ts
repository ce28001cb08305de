import { QuarterlyService } from '#duban/rectification';
import { ApiClient } from '../support/api-client';
import { binaryParser, readXlsx } from '../support/ledger-files';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { startTestApp, TestApp } from '../support/test-app';

type Person = NamedPerson;
const PASSWORD = 'a-long-password-1';

/**
 * The five-in-one loop over one year, in compressed time, for 某县委 and its 6 branches:
 * commitments filed (one returned once), approved, published, progressed and evaluated; a
 * 述职评议 of the 6 secretaries by 9 voters; measures closed on time, late or never; the
 * annual assessment computed from all of it, confirmed, appealed; 问责 opened once per source.
 */
describe('the five-in-one loop (承诺 · 述职 · 评议 · 考核 · 问责)', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string };
  const branches: { id: string }[] = [];
  const secretaries: Person[] = [];
  const voters: Person[] = [];
  let countySecretary: Person;
  let supervisor: Person;
  let member1: Person;
  const people: Person[] = [];
  const commitmentIds: string[] = [];
  const taskIds: string[][] = [];
  let reviewId: string;
  let assessmentId: string;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  /** Tokens live 7 days on the test's clock: move it, then log everyone in again. */
  async function moveTo(instant: string): Promise<void> {
    t.clock.set(instant);
    admin = await api.adminToken();
    for (const p of people) p.token = await api.login(p.username, PASSWORD);
  }

  async function person(roles: { orgId: string; role: string }[], username: string, name: string) {
    const p = await createNamedPerson(t, admin, roles, username, name);
    people.push(p);
    return p;
  }

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    t.clock.set('2026-01-05T02:00:00.000Z');
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    for (let i = 1; i <= 6; i++) {
      branches.push(
        await api.createOrg(admin, { name: `第${i}支部`, kind: 'branch', parentId: county.id }),
      );
    }
    countySecretary = await person(
      [{ orgId: county.id, role: 'secretary' }],
      'xian-shuji',
      '县委书记',
    );
    supervisor = await person([{ orgId: county.id, role: 'supervisor' }], 'ducha', '督查员');
    for (let i = 0; i < 6; i++) {
      secretaries.push(
        await person(
          [{ orgId: branches[i].id, role: 'secretary' }],
          `shuji${i + 1}`,
          `支部书记${i + 1}`,
        ),
      );
    }
    member1 = await person([{ orgId: branches[0].id, role: 'member' }], 'dangyuan1', '党员甲');
    for (let i = 0; i < 9; i++) {
      voters.push(
        await person([{ orgId: county.id, role: 'member' }], `piaoxuan${i + 1}`, `评议人${i + 1}`),
      );
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('承诺: filed, returned once, approved, published — members see only what is published', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await as(secretaries[i]).post('/api/v1/commitments', {
        orgId: branches[i].id,
        year: 2026,
        items: [
          { title: '按期完成整改措施', target: '按期整改率 100%', dueDate: '2026-12-31' },
          { title: '规范“三会一课”', target: '全年组织生活会不少于 12 次', dueDate: '2026-12-31' },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body.state).toBe('draft');
      commitmentIds.push(res.body.id);
    }
    const c1 = `/api/v1/commitments/${commitmentIds[0]}`;
    const twice = await as(secretaries[0]).post('/api/v1/commitments', {
      orgId: branches[0].id,
      year: 2026,
      items: [{ title: '再报一次', target: '某目标', dueDate: '2026-06-30' }],
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('commitment_exists');
    // A year-less date, and weights of nothing: 400 naming the field.
    const bad = await as(secretaries[0]).post('/api/v1/commitments', {
      orgId: branches[0].id,
      year: 2026,
      items: [{ title: '某事项', target: '某目标', dueDate: '2025-12-31' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('items[0].dueDate');
    // Publishing a draft: 409; the branch approving itself: 403.
    await as(secretaries[0]).post(`${c1}/submit`).expect(200);
    expect((await as(secretaries[0]).post(`${c1}/approve`)).status).toBe(403);
    expect((await as(countySecretary).post(`${c1}/publish`)).status).toBe(409);
    const returned = await as(countySecretary).post(`${c1}/return`, {
      comment: '目标请量化到季度',
    });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({ state: 'returned', returnComment: '目标请量化到季度' });
    expect((await as(member1).get(`/api/v1/commitments?orgId=${branches[0].id}`)).body).toEqual([]);
    for (let i = 0; i < 6; i++) {
      const url = `/api/v1/commitments/${commitmentIds[i]}`;
      await as(secretaries[i]).post(`${url}/submit`).expect(200);
      await as(countySecretary).post(`${url}/approve`).expect(200);
      const published = await as(countySecretary).post(`${url}/publish`).expect(200);
      expect(published.body.state).toBe('published');
    }
    const seen = await as(member1).get(`/api/v1/commitments?orgId=${branches[0].id}&year=2026`);
    expect(seen.status).toBe(200);
    expect(seen.body).toHaveLength(1);
    expect(seen.body[0].items.map((i: { title: string }) => i.title)).toContain('规范“三会一课”');
    // A branch never sees another branch's commitments.
    expect((await as(secretaries[1]).get(c1)).status).toBe(404);
    // 公示 sheet.
    const sheet = await as(countySecretary)
      .get('/api/v1/commitments/export?year=2026')
      .buffer(true)
      .parse(binaryParser);
    expect(sheet.status).toBe(200);
    const rows = await readXlsx(sheet.body as Buffer);
    expect(rows[0]).toEqual([
      '序号',
      '组织',
      '年度',
      '承诺事项',
      '目标',
      '完成时限',
      '评诺结果',
      '党员评价',
    ]);
    expect(rows).toHaveLength(1 + 12);
  });

  it('践诺 in the quarterly rhythm: one notice and one feedback for measures and commitments', async () => {
    await moveTo('2026-04-01T02:00:00.000Z');
    // The quarter starts: every branch secretary is asked, in one message, for the quarter's
    // progress on the commitment items (no measure is open yet).
    await t.app.get(QuarterlyService).start('Asia/Shanghai', '2026Q2');
    const notices = (await as(secretaries[0]).get('/api/v1/notifications').expect(200)).body
      .items as { kind: string; title: string; body: string; data: Record<string, unknown> }[];
    const due = notices.filter((n) => n.kind === 'quarterly_report_due');
    expect(due).toHaveLength(1);
    expect(due[0].title).toBe('【季度督查】2026年第二季度请反馈2项承诺事项进展');
    expect(due[0].body).toContain('第1支部：规范“三会一课”（完成时限：2026-12-31）');
    expect(due[0].data.tasks).toEqual([]);
    expect(due[0].data.commitments).toHaveLength(2);

    for (let i = 0; i < 6; i++) {
      const res = await as(supervisor).post('/api/v1/problems', {
        title: `第${i + 1}支部组织生活不规范`,
        description: '季度督查中发现。',
        category: 'organisational_life',
        severity: 'serious',
        source: 'quarterly_check',
        orgId: branches[i].id,
        raisedByOrgId: county.id,
        tasks: [1, 2].map((n) => ({
          measure: `整改措施${n}`,
          responsibleOrgId: branches[i].id,
          responsibleUserId: secretaries[i].id,
          mode: 'deadline',
          dueAt: '2026-05-15T09:00:00.000Z',
        })),
      });
      expect(res.status).toBe(201);
      taskIds.push(res.body.tasks.map((x: { id: string }) => x.id));
    }
    await as(secretaries[0]).post(`/api/v1/tasks/${taskIds[0][0]}/accept`).expect(200);

    // One quarterly feedback carries a measure's progress and both commitment items'.
    const c1 = (await as(secretaries[0]).get(`/api/v1/commitments/${commitmentIds[0]}`)).body;
    const [item1, item2] = c1.items.map((i: { id: string }) => i.id);
    const feedback = {
      measures: [
        { taskId: taskIds[0][0], content: '已制定整改方案并召开支委会', percent: 30 },
        { taskId: taskIds[0][1], content: '尚未签收的措施' },
        { taskId: taskIds[1][0], content: '别的支部的措施' },
      ],
      commitmentItems: [
        { commitmentId: commitmentIds[0], itemId: item1, content: '第二季度已完成 2 项整改措施' },
        { commitmentId: commitmentIds[0], itemId: item2, content: '本季度召开组织生活会 3 次' },
      ],
    };
    const none = await as(secretaries[0]).post('/api/v1/quarterly-feedback', {});
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'measures' })]);
    const twice = await as(secretaries[0]).post('/api/v1/quarterly-feedback', {
      commitmentItems: [feedback.commitmentItems[0], feedback.commitmentItems[0]],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toContain('commitmentItems[1].itemId');
    const sent = await as(secretaries[0]).post('/api/v1/quarterly-feedback', feedback);
    expect(sent.status).toBe(200);
    expect(sent.body.recorded).toBe(3);
    expect(
      sent.body.results.map((r: { kind: string; id: string; status: number }) => [
        r.kind,
        r.id,
        r.status,
      ]),
    ).toEqual([
      ['measure', taskIds[0][0], 200],
      ['measure', taskIds[0][1], 409], // not accepted yet: as POST /tasks/{id}/progress says
      ['measure', taskIds[1][0], 404], // another branch's measure
      ['commitment_item', item1, 200],
      ['commitment_item', item2, 200],
    ]);
    const task = (await as(secretaries[0]).get(`/api/v1/tasks/${taskIds[0][0]}`)).body;
    expect(task.lastProgressAt).toBe('2026-04-01T02:00:00.000Z');
    const progressed = (await as(secretaries[0]).get(`/api/v1/commitments/${commitmentIds[0]}`))
      .body;
    expect(progressed.items[0].progress).toEqual([
      expect.objectContaining({ quarter: '2026Q2', content: '第二季度已完成 2 项整改措施' }),
    ]);
    expect(progressed.items[1].progress[0].quarter).toBe('2026Q2');
    // The item's own progress call (API.md) records into the same quarterly rhythm.
    const c2 = (await as(secretaries[1]).get(`/api/v1/commitments/${commitmentIds[1]}`)).body;
    const single = await as(secretaries[1]).post(
      `/api/v1/commitments/${commitmentIds[1]}/items/${c2.items[0].id}/progress`,
      { content: '第二季度进展' },
    );
    expect(single.status).toBe(200);
    expect(single.body.items[0].progress[0].quarter).toBe('2026Q2');
    // A member may read the commitment but not report its progress.
    const byMember = await as(member1).post('/api/v1/quarterly-feedback', {
      commitmentItems: [{ commitmentId: commitmentIds[0], itemId: item1, content: '代报' }],
    });
    expect(byMember.body.results[0]).toMatchObject({ ok: false, status: 403 });
  });

  it('the measures of the year: closed on time, late, or never', async () => {
    const close = async (taskId: string, doer: Person) => {
      const url = `/api/v1/tasks/${taskId}`;
      const task = (await as(doer).get(url)).body;
      if (task.state === 'assigned') await as(doer).post(`${url}/accept`).expect(200);
      await as(doer).post(`${url}/submit`, { summary: '整改完成' }).expect(200);
      await as(supervisor).post(`${url}/verify`, { passed: true }).expect(200);
      await as(countySecretary).post(`${url}/close`, { comment: '同意销号' }).expect(200);
    };
    await moveTo('2026-05-10T02:00:00.000Z');
    for (let i = 0; i < 4; i++) for (const id of taskIds[i]) await close(id, secretaries[i]);
    await close(taskIds[4][0], secretaries[4]);
    await moveTo('2026-06-20T02:00:00.000Z');
    await close(taskIds[4][1], secretaries[4]); // 35 days 17 hours late
    // 第6支部 never closes either measure.

    // The next quarter: 第6支部's secretary gets ONE message with the open measures and the
    // commitment items; 第1支部's, with nothing open, one with the items alone.
    await moveTo('2026-07-01T02:00:00.000Z');
    await t.app.get(QuarterlyService).start('Asia/Shanghai', '2026Q3');
    const q3 = async (p: Person) =>
      (
        (await as(p).get('/api/v1/notifications').expect(200)).body.items as {
          kind: string;
          title: string;
          data: { quarter: string; tasks: unknown[]; commitments: unknown[] };
        }[]
      ).filter((n) => n.kind === 'quarterly_report_due' && n.data.quarter === '2026Q3');
    const sixth = await q3(secretaries[5]);
    expect(sixth).toHaveLength(1);
    expect(sixth[0].title).toBe('【季度督查】2026年第三季度请反馈2项整改任务和2项承诺事项进展');
    expect([sixth[0].data.tasks.length, sixth[0].data.commitments.length]).toEqual([2, 2]);
    const first = await q3(secretaries[0]);
    expect(first).toHaveLength(1);
    expect([first[0].data.tasks.length, first[0].data.commitments.length]).toEqual([0, 2]);
  });

  it('述职评议: 9 voters, one ballot each per subject, anonymous; tallies after close', async () => {
    await moveTo('2026-12-01T02:00:00.000Z');
    const created = await as(countySecretary).post('/api/v1/reviews', {
      hostOrgId: county.id,
      year: 2026,
      subjects: secretaries.map((s, i) => ({ orgId: branches[i].id, userId: s.id })),
      voterUserIds: voters.map((v) => v.id),
    });
    expect(created.status).toBe(201);
    reviewId = created.body.id;
    const url = `/api/v1/reviews/${reviewId}`;
    await as(secretaries[0])
      .post(`${url}/reports`, {
        subjectUserId: secretaries[0].id,
        text: '一年来认真履行第一责任人职责。',
      })
      .expect(200);
    // 9 ballots per subject: [good, fairly_good, average, poor]
    const plan: [number, number, number, number][] = [
      [9, 0, 0, 0],
      [8, 1, 0, 0],
      [7, 2, 0, 0],
      [7, 2, 0, 0],
      [5, 4, 0, 0],
      [0, 0, 2, 7],
    ];
    const grades = ['good', 'fairly_good', 'average', 'poor'];
    for (let s = 0; s < 6; s++) {
      const list = plan[s].flatMap((n, g) => Array(n).fill(grades[g]) as string[]);
      for (let v = 0; v < 9; v++) {
        const res = await as(voters[v]).post(`${url}/ballots`, {
          subjectUserId: secretaries[s].id,
          grade: list[v],
          ...(v === 0 ? { comment: `对书记${s + 1}的意见` } : {}),
        });
        expect(res.status).toBe(201);
        expect(JSON.stringify(res.body)).not.toContain(list[v]);
      }
    }
    const again = await as(voters[0]).post(`${url}/ballots`, {
      subjectUserId: secretaries[0].id,
      grade: 'poor',
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_voted');
    const offList = await as(countySecretary).post(`${url}/ballots`, {
      subjectUserId: secretaries[0].id,
      grade: 'good',
    });
    expect(offList.status).toBe(403);
    expect(offList.body.code).toBe('not_a_voter');
    const badGrade = await as(voters[1]).post(`${url}/ballots`, {
      subjectUserId: secretaries[0].id,
      grade: 'excellent',
    });
    expect(badGrade.status).toBe(400);
    expect(JSON.stringify(badGrade.body)).toContain('grade');
    // A voter finds the review in their list without any role at the host.
    const mine = (await as(voters[1]).get('/api/v1/reviews?year=2026').expect(200)).body;
    expect(mine.map((r: { id: string }) => r.id)).toEqual([reviewId]);
    expect((await as(member1).get('/api/v1/reviews')).body).toEqual([]);
    const notSubject = await as(voters[0]).post(`${url}/ballots`, {
      subjectUserId: member1.id,
      grade: 'good',
    });
    expect(notSubject.status).toBe(400);
    expect(notSubject.body.message).toContain('subjectUserId');
    // Nothing is shown before close; a voter sees only which subjects they voted for.
    const open = (await as(voters[0]).get(url).expect(200)).body;
    expect(open.subjects.every((s: { counts: unknown }) => s.counts === null)).toBe(true);
    expect(open.myBallots).toHaveLength(6);
    // An outsider does not even see the review.
    expect((await as(member1).get(url)).status).toBe(404);

    const closed = await as(countySecretary).post(`${url}/close`);
    expect(closed.status).toBe(200);
    const bySubject = new Map(closed.body.subjects.map((s: { userId: string }) => [s.userId, s]));
    plan.forEach(([good, fairly_good, average, poor], i) => {
      const s = bySubject.get(secretaries[i].id) as {
        counts: object;
        voters: number;
        score: number;
        grade: string;
      };
      expect(s.counts).toEqual({ good, fairly_good, average, poor });
      expect(s.voters).toBe(9); // counts add up to the voters who voted
    });
    expect(bySubject.get(secretaries[5].id)).toMatchObject({ score: 44.44, grade: 'poor' });
    expect(bySubject.get(secretaries[0].id)).toMatchObject({ score: 100, grade: 'good' });
    const after = await as(voters[3]).post(`${url}/ballots`, {
      subjectUserId: secretaries[0].id,
      grade: 'good',
    });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('review_closed');
    const shown = (await as(countySecretary).get(url).expect(200)).body;
    expect(shown.subjects[0].comments).toHaveLength(1);
  });

  it('no ballot can be traced to its voter through any table or the audit record', async () => {
    // No table that knows a voter also knows a grade or a comment.
    const columns: { table_name: string; column_name: string }[] = await t.db.query(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name LIKE 'review%'`,
    );
    const of = (table: string) =>
      columns.filter((c) => c.table_name === table).map((c) => c.column_name);
    expect(of('review_voters').sort()).toEqual(['review_id', 'subject_user_id', 'voter_user_id']);
    expect(of('review_tallies')).not.toContain('voter_user_id');
    for (const table of ['review_tallies', 'review_voters']) {
      expect(of(table).some((c) => /_at$|time|seq|serial|created/.test(c))).toBe(false);
    }
    // Every tally row of the review was last written by the same transaction: its xmin says
    // nothing about which counter a given voter moved.
    const xmins: { n: number }[] = await t.db.query(
      `SELECT count(DISTINCT xmin::text)::int AS n FROM review_tallies WHERE review_id = $1`,
      [reviewId],
    );
    expect(xmins[0].n).toBe(1);
    // The audit record says who voted for whom, never the grade or the comment.
    const events: { data: Record<string, unknown> }[] = await t.db.query(
      `SELECT data FROM audit_events WHERE stream_id = $1 AND type = 'voted'`,
      [reviewId],
    );
    expect(events).toHaveLength(54);
    for (const e of events) expect(Object.keys(e.data)).toEqual(['subjectUserId']);
    // No endpoint names a voter next to a grade: the closed review shows counts only.
    const body = JSON.stringify(
      (await as(countySecretary).get(`/api/v1/reviews/${reviewId}`)).body,
    );
    for (const v of voters) expect(body).not.toContain(v.id);
  });

  it('concurrent ballots: exactly one per voter and subject, and the counts still add up', async () => {
    const created = await as(countySecretary)
      .post('/api/v1/reviews', {
        hostOrgId: county.id,
        year: 2025,
        subjects: [{ orgId: branches[0].id, userId: secretaries[0].id }],
        voterUserIds: voters.slice(0, 3).map((v) => v.id),
      })
      .expect(201);
    const url = `/api/v1/reviews/${created.body.id}`;
    const results = await Promise.all(
      [...voters.slice(0, 3), ...voters.slice(0, 3)].map((v, i) =>
        as(v).post(`${url}/ballots`, {
          subjectUserId: secretaries[0].id,
          grade: i < 3 ? 'good' : 'fairly_good', // never 差: no case in this test
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409]);
    const closed = (await as(countySecretary).post(`${url}/close`).expect(200)).body;
    const { counts, voters: voted } = closed.subjects[0];
    expect(voted).toBe(3);
    expect(counts.good + counts.fairly_good + counts.average + counts.poor).toBe(3);
  });

  it('评诺: the members rate each item once, the superior rates every item; an unfulfilled item opens a case', async () => {
    await moveTo('2026-12-20T02:00:00.000Z');
    const member2 = await person(
      [{ orgId: branches[0].id, role: 'member' }],
      'dangyuan2',
      '党员乙',
    );
    const member3 = await person(
      [{ orgId: branches[0].id, role: 'member' }],
      'dangyuan3',
      '党员丙',
    );
    const c1 = `/api/v1/commitments/${commitmentIds[0]}`;
    const [item1, item2] = (await as(member1).get(c1)).body.items.map((i: { id: string }) => i.id);
    const rated = await as(member1).post(`${c1}/member-ratings`, {
      items: [
        { itemId: item1, result: 'fulfilled' },
        { itemId: item2, result: 'partly' },
      ],
    });
    expect(rated.status).toBe(201);
    expect(rated.body.myRatedItemIds.sort()).toEqual([item1, item2].sort());
    // Before the superior's evaluation nobody sees a tally.
    expect(rated.body.items.map((i: { memberTally: unknown }) => i.memberTally)).toEqual([
      null,
      null,
    ]);
    const again = await as(member1).post(`${c1}/member-ratings`, {
      items: [{ itemId: item1, result: 'not_fulfilled' }],
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_rated');
    const badResult = await as(member2).post(`${c1}/member-ratings`, {
      items: [{ itemId: item1, result: 'excellent' }],
    });
    expect(badResult.status).toBe(400);
    expect(JSON.stringify(badResult.body)).toContain('result');
    // The superior evaluates, it does not rate as a member; another branch does not see it.
    const superior = await as(countySecretary).post(`${c1}/member-ratings`, {
      items: [{ itemId: item1, result: 'fulfilled' }],
    });
    expect([superior.status, superior.body.code]).toEqual([403, 'not_a_member']);
    expect(
      (
        await as(secretaries[1]).post(`${c1}/member-ratings`, {
          items: [{ itemId: item1, result: 'fulfilled' }],
        })
      ).status,
    ).toBe(404);
    await as(member2)
      .post(`${c1}/member-ratings`, { items: [{ itemId: item1, result: 'not_fulfilled' }] })
      .expect(201);
    await as(member3)
      .post(`${c1}/member-ratings`, {
        items: [
          { itemId: item2, result: 'fulfilled' },
          { itemId: item1, result: 'fulfilled' },
        ],
      })
      .expect(201);
    // Two members rating at once: both counted, each once.
    const m4 = await person([{ orgId: branches[1].id, role: 'member' }], 'dangyuan4', '党员丁');
    const m5 = await person([{ orgId: branches[1].id, role: 'member' }], 'dangyuan5', '党员戊');
    const c2 = `/api/v1/commitments/${commitmentIds[1]}`;
    const c2item = (await as(m4).get(c2)).body.items[0].id;
    const both = await Promise.all(
      [m4, m5, m4].map((p) =>
        as(p).post(`${c2}/member-ratings`, { items: [{ itemId: c2item, result: 'partly' }] }),
      ),
    );
    expect(both.map((r) => r.status).sort()).toEqual([201, 201, 409]);

    for (let i = 0; i < 6; i++) {
      const url = `/api/v1/commitments/${commitmentIds[i]}`;
      const items = (await as(countySecretary).get(url)).body.items as { id: string }[];
      const incomplete = await as(countySecretary).post(`${url}/evaluation`, {
        items: [{ itemId: items[0].id, result: 'fulfilled' }],
      });
      expect(incomplete.status).toBe(400);
      const res = await as(countySecretary).post(`${url}/evaluation`, {
        items: items.map((it, n) => ({
          itemId: it.id,
          result: i < 5 ? 'fulfilled' : n === 0 ? 'not_fulfilled' : 'partly',
          comment: '经评议',
        })),
      });
      expect(res.status).toBe(200);
      expect(res.body.state).toBe('evaluated');
    }
    // The result: the superior's evaluation beside the members' tally (counts = raters).
    const result = (await as(member1).get(c1).expect(200)).body;
    expect(result.items[0]).toMatchObject({
      result: 'fulfilled',
      memberTally: { fulfilled: 2, partly: 0, not_fulfilled: 1, raters: 3 },
    });
    expect(result.items[1]).toMatchObject({
      result: 'fulfilled',
      memberTally: { fulfilled: 1, partly: 1, not_fulfilled: 0, raters: 2 },
    });
    expect((await as(m4).get(c2)).body.items[0].memberTally).toEqual({
      fulfilled: 0,
      partly: 2,
      not_fulfilled: 0,
      raters: 2,
    });
    // Rating closes with the superior's evaluation.
    const late = await as(member1).post(`${c1}/member-ratings`, {
      items: [{ itemId: item1, result: 'fulfilled' }],
    });
    expect([late.status, late.body.code]).toEqual([409, 'invalid_commitment_state']);
    // Who rated is kept apart from what: no table holds a rater beside a result.
    const columns: { table_name: string; column_name: string }[] = await t.db.query(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('commitment_raters', 'commitment_member_tallies')`,
    );
    const of = (table: string) =>
      columns
        .filter((c) => c.table_name === table)
        .map((c) => c.column_name)
        .sort();
    expect(of('commitment_raters')).toEqual(['commitment_id', 'item_id', 'rater_user_id']);
    expect(of('commitment_member_tallies')).not.toContain('rater_user_id');
    const xmins: { n: number }[] = await t.db.query(
      `SELECT count(DISTINCT xmin::text)::int AS n FROM commitment_member_tallies WHERE commitment_id = $1`,
      [commitmentIds[0]],
    );
    expect(xmins[0].n).toBe(1);
    const events: { data: Record<string, unknown> }[] = await t.db.query(
      `SELECT data FROM audit_events WHERE stream_id = $1 AND type = 'member_rated'`,
      [commitmentIds[0]],
    );
    expect(events).toHaveLength(3);
    for (const e of events) expect(Object.keys(e.data)).toEqual(['itemIds']);
    // The 公示 sheet shows both.
    const sheet = await as(countySecretary)
      .get(`/api/v1/commitments/export?year=2026&orgId=${branches[0].id}`)
      .buffer(true)
      .parse(binaryParser);
    const rows = await readXlsx(sheet.body as Buffer);
    expect(rows[1].slice(6)).toEqual(['已兑现', '已兑现 2，部分兑现 0，未兑现 1']);
    // 问责: the unfulfilled item opened one case; rating it again is refused.
    const cases = (
      await as(countySecretary)
        .get(`/api/v1/accountability-cases?orgId=${branches[5].id}&pageSize=50`)
        .expect(200)
    ).body.items.filter((c: { measure: string }) => c.measure.startsWith('承诺未兑现'));
    expect(cases).toHaveLength(1);
  });

  it('考核: scheme, computed table equal to the summary report, drill-down, export, scope', async () => {
    await moveTo('2027-01-04T02:00:00.000Z');
    const indicators = [
      { code: 'on_time', name: '按期整改率', weight: 40, source: 'on_time_rate' },
      { code: 'overdue', name: '超期天数', weight: 20, source: 'overdue_days' },
      { code: 'cases', name: '问责案件', weight: 10, source: 'accountability_cases' },
      { code: 'commitments', name: '承诺兑现', weight: 10, source: 'commitments' },
      { code: 'review', name: '述职评议', weight: 20, source: 'review' },
    ];
    const grades = [
      { grade: 'good', minScore: 90, maxShare: 0.34 },
      { grade: 'fairly_good', minScore: 75 },
      { grade: 'average', minScore: 60 },
      { grade: 'poor', minScore: 0 },
    ];
    const schemeUrl = `/api/v1/orgs/${county.id}/assessment-scheme`;
    const bad = await as(countySecretary).put(schemeUrl, {
      year: 2026,
      indicators: indicators.map((i) => ({ ...i, weight: 10 })),
      grades,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('weights_must_sum_to_100');
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: 'indicators', code: 'weights_must_sum_to_100' }),
    ]);
    await as(countySecretary).put(schemeUrl, { year: 2026, indicators, grades }).expect(200);

    const computed = await as(countySecretary).post('/api/v1/assessments', {
      orgId: county.id,
      year: 2026,
    });
    expect(computed.status).toBe(201);
    assessmentId = computed.body.id;
    const rows = computed.body.rows as {
      orgId: string;
      indicators: { code: string; value: number | null; score: number }[];
      total: number;
      grade: string;
    }[];
    const row = (i: number) => rows.find((r) => r.orgId === branches[i].id)!;
    const value = (i: number, code: string) => row(i).indicators.find((x) => x.code === code)!;

    // The on-time indicator equals the summary report's figure for the same period (every
    // measure of the year fell due in 2026Q2).
    const summary = (
      await as(countySecretary)
        .get(`/api/v1/reports/summary?orgId=${county.id}&quarter=2026Q2`)
        .expect(200)
    ).body;
    for (let i = 0; i < 6; i++) {
      const child = summary.children.find((c: { orgId: string }) => c.orgId === branches[i].id);
      expect(value(i, 'on_time').value).toBe(child.onTimeRate);
    }
    expect([0, 1, 2, 3, 4, 5].map((i) => value(i, 'on_time').value)).toEqual([1, 1, 1, 1, 0.5, 0]);
    expect(value(4, 'overdue').value).toBe(36); // 35 days 17 hours, in whole days
    expect(value(5, 'review').value).toBe(44.44);
    expect(value(5, 'commitments').value).toBe(0.25);
    expect(value(5, 'cases').value).toBe(2); // the 差 review and the unfulfilled item

    // Caps: at most floor(0.34 × 6) = 2 orgs are 好; the two tied at 99.11 drop together.
    expect(rows.map((r) => [r.total, r.grade])).toEqual([
      [100, 'good'],
      [99.56, 'good'],
      [99.11, 'fairly_good'],
      [99.11, 'fairly_good'],
      [63.82, 'average'],
      [expect.any(Number), 'poor'],
    ]);

    const drill = await as(countySecretary).get(
      `/api/v1/assessments/${assessmentId}/rows/${branches[4].id}/indicators/on_time`,
    );
    expect(drill.status).toBe(200);
    expect(
      drill.body.items.map((m: { taskId: string; onTime: boolean }) => [m.taskId, m.onTime]),
    ).toEqual(
      expect.arrayContaining([
        [taskIds[4][0], true],
        [taskIds[4][1], false],
      ]),
    );
    expect(drill.body.items).toHaveLength(2);

    const file = await as(countySecretary)
      .get(`/api/v1/assessments/${assessmentId}/export`)
      .buffer(true)
      .parse(binaryParser);
    expect(file.status).toBe(200);
    const sheet = await readXlsx(file.body as Buffer);
    expect(sheet[0][0]).toBe('组织');
    expect(sheet.slice(1).map((r) => r[r.length - 1])).toEqual([
      '好',
      '好',
      '较好',
      '较好',
      '一般',
      '差',
    ]);

    // A branch sees its own grade only.
    const own = (await as(secretaries[2]).get(`/api/v1/assessments/${assessmentId}`).expect(200))
      .body;
    expect(own.rows.map((r: { orgId: string }) => r.orgId)).toEqual([branches[2].id]);

    // The list of assessments, per year and committee, with the grades the reader may see.
    const listed = (
      await as(countySecretary).get(`/api/v1/assessments?year=2026&orgId=${county.id}`).expect(200)
    ).body;
    expect(listed).toEqual([
      expect.objectContaining({
        id: assessmentId,
        orgId: county.id,
        orgName: '某某县委',
        year: 2026,
        state: 'computed',
        rows: 6,
        grades: { good: 2, fairly_good: 2, average: 1, poor: 1 },
      }),
    ]);
    const mine = (await as(secretaries[2]).get('/api/v1/assessments').expect(200)).body;
    expect(mine).toEqual([
      expect.objectContaining({
        id: assessmentId,
        rows: 1,
        grades: { good: 0, fairly_good: 1, average: 0, poor: 0 },
      }),
    ]);
    expect(
      (await as(secretaries[2]).get('/api/v1/assessments?year=2025').expect(200)).body,
    ).toEqual([]);
    expect((await as(countySecretary).get('/api/v1/assessments?year=20x6')).status).toBe(400);
  });

  it('问责: confirming a 差 grade opens exactly one case; the org may appeal', async () => {
    const url = `/api/v1/assessments/${assessmentId}`;
    expect(
      (await as(secretaries[5]).post(`${url}/appeals`, { orgId: branches[5].id, reason: '早' }))
        .status,
    ).toBe(409);
    await as(countySecretary).post(`${url}/confirm`).expect(200);
    expect((await as(countySecretary).post(`${url}/confirm`)).status).toBe(409);
    // Recomputing and confirming again for the same year opens nothing new.
    const again = await as(countySecretary).post('/api/v1/assessments', {
      orgId: county.id,
      year: 2026,
    });
    await as(countySecretary).post(`/api/v1/assessments/${again.body.id}/confirm`).expect(200);
    const cases = await as(countySecretary).get(
      `/api/v1/accountability-cases?orgId=${branches[5].id}&pageSize=50`,
    );
    expect(cases.status).toBe(200);
    const fromAssessment = cases.body.items.filter((c: { measure: string }) =>
      c.measure.startsWith('年度考核为“差”'),
    );
    expect(fromAssessment).toHaveLength(1);
    expect(fromAssessment[0]).toMatchObject({
      taskId: null,
      subjectOrgId: branches[5].id,
      subjectUserIds: [secretaries[5].id],
      raisingOrgId: county.id,
      state: 'open',
    });
    expect(cases.body.items).toHaveLength(3); // + the 差 review, + the unfulfilled commitment
    const detail = await as(countySecretary).get(
      `/api/v1/accountability-cases/${fromAssessment[0].id}`,
    );
    expect(detail.status).toBe(200);

    const appeal = await as(secretaries[5]).post(`${url}/appeals`, {
      orgId: branches[5].id,
      reason: '两项措施因上级资金未到位而延误',
    });
    expect(appeal.status).toBe(201);
    expect(
      (
        await as(secretaries[5]).post(`${url}/appeals`, {
          orgId: branches[5].id,
          reason: '再次申诉',
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await as(secretaries[4]).post(`${url}/appeals`, {
          orgId: branches[5].id,
          reason: '代为申诉',
        })
      ).status,
    ).toBe(404);
    const appealId = appeal.body.appeals[0].id;
    const decided = await as(countySecretary).post(`${url}/appeals/${appealId}/decision`, {
      upheld: false,
      reason: '经复核，超期事实清楚',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.appeals[0]).toMatchObject({
      state: 'rejected',
      decisionReason: '经复核，超期事实清楚',
    });
  });

  it('考核: a manual indicator is entered with a reason and evidence, or refused', async () => {
    await as(countySecretary)
      .put(`/api/v1/orgs/${county.id}/assessment-scheme`, {
        year: 2025,
        indicators: [
          { code: 'party_life', name: '组织生活', weight: 60, source: 'manual' },
          { code: 'on_time', name: '按期整改率', weight: 40, source: 'on_time_rate' },
        ],
        grades: [
          { grade: 'good', minScore: 90 },
          { grade: 'poor', minScore: 0 },
        ],
      })
      .expect(200);
    const upload = await t
      .http()
      .post('/api/v1/attachments')
      .auth(countySecretary.token, { type: 'bearer' })
      .attach('file', Buffer.from('第一支部2025年组织生活记录\n', 'utf8'), {
        filename: '组织生活记录.txt',
        contentType: 'text/plain',
      });
    expect(upload.status).toBe(201);
    const manualUrl = `/api/v1/orgs/${county.id}/assessment-manual-values`;
    const entry = {
      year: 2025,
      orgId: branches[0].id,
      code: 'party_life',
      value: 85,
      reason: '组织生活会记录完整，个别月份缺少签到表',
      attachmentIds: [upload.body.id],
    };
    const noEvidence = await as(countySecretary).put(manualUrl, { ...entry, attachmentIds: [] });
    expect(noEvidence.status).toBe(400);
    expect(JSON.stringify(noEvidence.body)).toContain('attachmentIds');
    const notManual = await as(countySecretary).put(manualUrl, { ...entry, code: 'on_time' });
    expect(notManual.status).toBe(400);
    expect((await as(secretaries[0]).put(manualUrl, entry)).status).toBe(404);
    await as(countySecretary).put(manualUrl, entry).expect(204);
    const computed = (
      await as(countySecretary)
        .post('/api/v1/assessments', { orgId: county.id, year: 2025 })
        .expect(201)
    ).body;
    const manual = (orgId: string) =>
      computed.rows
        .find((r: { orgId: string }) => r.orgId === orgId)
        .indicators.find((i: { code: string }) => i.code === 'party_life');
    expect(manual(branches[0].id)).toMatchObject({ value: 85, score: 85 });
    expect(manual(branches[1].id)).toMatchObject({ value: null, score: 0 }); // not entered
  });
});
