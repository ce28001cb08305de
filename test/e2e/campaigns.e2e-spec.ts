import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };
type Counts = {
  orgId: string;
  findings: number;
  problems: number;
  open: number;
  overdue: number;
  closed: number;
  relapsed: number;
};

// A PNG signature and an empty IHDR-ish tail: enough for the evidence sniffer to say image/png.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 1),
]);

/**
 * 某某市委 (committee)
 * └── 某某县委 (committee, raises the campaign)
 *     └── 城关镇党委 (committee)
 *         └── 40 支部 (branch) — the population of the spot check
 */
describe('inspection campaigns (督查)', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let city: { id: string };
  let county: { id: string };
  let town: { id: string };
  const branches: string[] = [];
  let leader: Person; // 县委督查员, 督查组组长
  let inspector: Person; // 县委督查员
  let citySupervisor: Person; // 市委督查员: above the raising org, may join
  let countySecretary: Person; // 县委书记: approves closures
  let branchMember: Person; // a member of a branch: not a supervisor

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  const spotCheck = (overrides: object = {}) => ({
    name: '2026年第四季度基层党建随机抽查',
    kind: 'spot_check',
    raisedByOrgId: county.id,
    startsOn: '2026-12-01',
    endsOn: '2026-12-20',
    leaderUserId: leader.id,
    teamUserIds: [inspector.id, citySupervisor.id],
    targetDraw: { withinOrgId: county.id, orgKind: 'branch', count: 5, seed: '2026Q4-县委抽查' },
    checklist: [
      { code: 'A1', title: '“三会一课”是否按规定开展', category: 'organisational_life' },
      { code: 'A2', title: '党费收缴是否及时足额', category: 'member_education' },
    ],
    ...overrides,
  });

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    t.clock.set('2026-12-02T02:00:00Z');
    api = new ApiClient(t);
    admin = await api.adminToken();
    city = await api.createOrg(admin, { name: '某某市委', kind: 'committee' });
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee', parentId: city.id });
    town = await api.createOrg(admin, {
      name: '城关镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    for (let i = 1; i <= 40; i++) {
      const b = await api.createOrg(admin, {
        name: `第${i}支部`,
        kind: 'branch',
        parentId: town.id,
      });
      branches.push(b.id);
    }
    leader = await api.createPerson(admin, [{ orgId: county.id, role: 'supervisor' }], 'leader');
    inspector = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'supervisor' }],
      'inspector',
    );
    citySupervisor = await api.createPerson(
      admin,
      [{ orgId: city.id, role: 'supervisor' }],
      'city-sup',
    );
    countySecretary = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'secretary' }],
      'county-sec',
    );
    branchMember = await api.createPerson(
      admin,
      [{ orgId: branches[0], role: 'member' }],
      'branch-member',
    );
  });
  afterAll(() => t.close());

  it('draws 5 of 40 branches from a seed, and the same seed draws the same 5', async () => {
    const first = await as(leader).post('/api/v1/campaigns', spotCheck());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      kind: 'spot_check',
      kindLabel: '随机抽查',
      state: 'open',
      teamUserIds: [leader.id, inspector.id, citySupervisor.id],
      targetCount: 5,
      targetDraw: {
        withinOrgId: county.id,
        orgKind: 'branch',
        count: 5,
        seed: '2026Q4-县委抽查',
        algorithm: 'cyrb128-sfc32-fisher-yates-v1',
      },
    });
    // The population is recorded: the 40 branches (not the town committee), sorted by id.
    expect(first.body.targetDraw.population).toEqual([...branches].sort());
    const drawn = first.body.targets.map((x: Counts) => x.orgId);
    expect(drawn).toHaveLength(5);
    expect(new Set(drawn).size).toBe(5);
    for (const id of drawn) expect(branches).toContain(id);

    const second = await as(inspector).post('/api/v1/campaigns', spotCheck({ name: '复抽' }));
    expect(second.status).toBe(201);
    expect(second.body.targets.map((x: Counts) => x.orgId)).toEqual(drawn);

    const other = await as(inspector).post(
      '/api/v1/campaigns',
      spotCheck({ name: '另一种子', targetDraw: { ...spotCheck().targetDraw, seed: 'other' } }),
    );
    expect(other.status).toBe(201);
    expect(other.body.targets.map((x: Counts) => x.orgId)).not.toEqual(drawn);

    // Without a seed one is chosen and recorded.
    const unseeded = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({ name: '无种子', targetDraw: { withinOrgId: town.id, count: 3 } }),
    );
    expect(unseeded.status).toBe(201);
    expect(unseeded.body.targetDraw.seed).toMatch(/^[0-9a-f]{24}$/);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const tooMany = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({
        targetDraw: { withinOrgId: county.id, orgKind: 'branch', count: 41, seed: 's' },
      }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ code: 'draw_exceeds_population' });
    expect(tooMany.body.errors[0].field).toBe('targetDraw.count');

    const notSupervisor = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({ teamUserIds: [inspector.id, branchMember.id] }),
    );
    expect(notSupervisor.status).toBe(400);
    expect(notSupervisor.body).toMatchObject({ code: 'not_a_supervisor' });
    expect(notSupervisor.body.errors[0].field).toBe('teamUserIds[1]');
    expect(notSupervisor.body.message).toContain('teamUserIds[1]');

    const badLeader = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({ leaderUserId: branchMember.id }),
    );
    expect(badLeader.status).toBe(400);
    expect(badLeader.body.errors[0].field).toBe('leaderUserId');

    const badCategory = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({ checklist: [{ code: 'X', title: 'x', category: 'no_such_category' }] }),
    );
    expect(badCategory.status).toBe(400);
    expect(badCategory.body.errors[0].field).toBe('checklist[0].category');

    const outside = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({ targetDraw: undefined, targetOrgIds: [branches[0], city.id] }),
    );
    expect(outside.status).toBe(400);
    expect(outside.body.errors[0].field).toBe('targetOrgIds[1]');

    const both = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({ targetOrgIds: [branches[0]] }),
    );
    expect(both.status).toBe(400);

    const badKind = await as(leader).post('/api/v1/campaigns', spotCheck({ kind: 'surprise' }));
    expect(badKind.status).toBe(400);
    expect(badKind.body.errors[0].field).toBe('kind');

    // Only the raising org's secretary, deputy or supervisor launches one.
    const byMember = await as(branchMember).post('/api/v1/campaigns', spotCheck());
    expect(byMember.status).toBe(404);
  });

  it('turns findings on 3 targets into problems with measures, counts them on the board, and freezes it at closure', async () => {
    const launched = await as(leader).post(
      '/api/v1/campaigns',
      spotCheck({
        name: '2026年12月巡回督查',
        kind: 'roving',
        targetDraw: undefined,
        targetOrgIds: branches.slice(0, 4),
      }),
    );
    expect(launched.status).toBe(201);
    const id: string = launched.body.id;
    const [a, b, c, d] = branches.slice(0, 4);
    // Each target's secretary answers for its measures.
    const secretaries: Record<string, Person> = {};
    for (const org of [a, b, c, d]) {
      secretaries[org] = await api.createPerson(
        admin,
        [{ orgId: org, role: 'secretary' }],
        'branch-sec',
      );
    }
    const measure = (org: string, days: number, text = '建立会议记录台账，逐月检查') => ({
      measure: text,
      responsibleOrgId: org,
      responsibleUserId: secretaries[org].id,
      mode: 'deadline',
      dueAt: new Date(t.clock.now().getTime() + days * 86400_000).toISOString(),
    });
    const finding = (org: string, tasks: object[], extra: object = {}) => ({
      targetOrgId: org,
      checklistCode: 'A1',
      title: '支委会会议记录缺失',
      description: '现场查阅发现，9月、10月支委会无会议记录。',
      category: 'organisational_life',
      severity: 'serious',
      tasks,
      ...extra,
    });

    // A single finding, with evidence photographed on the visit.
    const photo = await t
      .http()
      .post('/api/v1/attachments')
      .auth(inspector.token, { type: 'bearer' })
      .attach('file', PNG, { filename: '现场照片.png', contentType: 'image/png' });
    expect(photo.status).toBe(201);
    const one = await as(inspector).post(
      `/api/v1/campaigns/${id}/findings`,
      finding(a, [measure(a, 10)], { attachmentIds: [photo.body.id] }),
    );
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({
      campaignId: id,
      campaign: '2026年12月巡回督查',
      source: 'roving_check',
      orgId: a,
      raisedByOrgId: county.id,
      taskCount: 1,
    });
    expect(one.body.tasks[0]).toMatchObject({ state: 'assigned', responsibleOrgId: a });

    // Many at once: one more on A, two measures on B, one on C that will be overdue.
    const many = await as(leader).post(`/api/v1/campaigns/${id}/findings`, {
      findings: [
        finding(a, [measure(a, 10)], {
          checklistCode: 'A2',
          category: 'member_education',
          title: '党费未按月收缴',
        }),
        finding(b, [measure(b, 10, '补齐会议记录'), measure(b, 10, '开展专题组织生活会')]),
        finding(c, [measure(c, 1)]),
      ],
    });
    expect(many.status).toBe(201);
    expect(many.body.findings).toHaveLength(3);
    for (const p of many.body.findings)
      expect(p).toMatchObject({ campaignId: id, source: 'roving_check' });

    // All or nothing: a bad second finding leaves nothing behind, and is named.
    const bad = await as(leader).post(`/api/v1/campaigns/${id}/findings`, {
      findings: [finding(d, [measure(d, 5)]), finding(d, [], { checklistCode: 'Z9' })],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('findings[1].checklistCode');
    const notTarget = await as(leader).post(
      `/api/v1/campaigns/${id}/findings`,
      finding(branches[9], []),
    );
    expect(notTarget.status).toBe(400);
    expect(notTarget.body.errors[0].field).toBe('targetOrgId');
    // Only the team records findings.
    const bySecretary = await as(countySecretary).post(
      `/api/v1/campaigns/${id}/findings`,
      finding(d, []),
    );
    expect(bySecretary.status).toBe(403);

    // B: one measure closed, one closed then reopened (回头看 found it back).
    const [b1, b2] = many.body.findings[1].tasks.map((x: { id: string }) => x.id);
    for (const task of [b1, b2]) {
      const url = `/api/v1/tasks/${task}`;
      expect((await as(secretaries[b]).post(`${url}/accept`)).status).toBe(200);
      expect((await as(secretaries[b]).post(`${url}/submit`, { summary: '已整改' })).status).toBe(
        200,
      );
      expect(
        (await as(inspector).post(`${url}/verify`, { passed: true, comment: '验收通过' })).status,
      ).toBe(200);
      expect((await as(countySecretary).post(`${url}/close`, { comment: '同意销号' })).status).toBe(
        200,
      );
    }
    expect(
      (await as(leader).post(`/api/v1/tasks/${b2}/reopen`, { reason: '回头看发现问题反弹' }))
        .status,
    ).toBe(200);

    t.clock.advance(2 * 86400_000); // C's measure is now past due

    const board = await as(leader).get(`/api/v1/campaigns/${id}`);
    expect(board.status).toBe(200);
    const byOrg = Object.fromEntries(board.body.targets.map((x: Counts) => [x.orgId, x]));
    expect(board.body.targets.map((x: Counts) => x.orgId)).toEqual([a, b, c, d]);
    expect(byOrg[a]).toMatchObject({
      findings: 2,
      problems: 2,
      open: 2,
      overdue: 0,
      closed: 0,
      relapsed: 0,
    });
    expect(byOrg[b]).toMatchObject({
      findings: 1,
      problems: 1,
      open: 1,
      overdue: 0,
      closed: 1,
      relapsed: 1,
    });
    expect(byOrg[c]).toMatchObject({
      findings: 1,
      problems: 1,
      open: 1,
      overdue: 1,
      closed: 0,
      relapsed: 0,
    });
    expect(byOrg[d]).toMatchObject({
      findings: 0,
      problems: 0,
      open: 0,
      overdue: 0,
      closed: 0,
      relapsed: 0,
    });
    expect(board.body.totals).toEqual({
      findings: 4,
      problems: 4,
      open: 4,
      overdue: 1,
      closed: 1,
      relapsed: 1,
    });
    expect(board.body.frozenAt).toBeNull();

    // A target sees its own findings and its own row only.
    const own = await as(secretaries[c]).get(`/api/v1/campaigns/${id}`);
    expect(own.status).toBe(200);
    expect(own.body.targets.map((x: Counts) => x.orgId)).toEqual([c]);
    const ownFindings = await as(secretaries[c]).get(`/api/v1/campaigns/${id}/findings`);
    expect(ownFindings.body.map((f: { targetOrgId: string }) => f.targetOrgId)).toEqual([c]);
    const teamFindings = await as(inspector).get(`/api/v1/campaigns/${id}/findings`);
    expect(teamFindings.body).toHaveLength(4);
    const withPhoto = teamFindings.body.find(
      (f: { problemId: string }) => f.problemId === one.body.id,
    );
    expect(withPhoto.attachmentIds).toEqual([photo.body.id]);
    // Someone outside: neither raising org nor target nor team.
    const outsider = await api.createPerson(
      admin,
      [{ orgId: branches[20], role: 'secretary' }],
      'outsider',
    );
    expect((await as(outsider).get(`/api/v1/campaigns/${id}`)).status).toBe(404);
    const outsiderList = await as(outsider).get('/api/v1/campaigns');
    expect(outsiderList.body.items.map((x: { id: string }) => x.id)).not.toContain(id);

    // Lists: by org and state.
    const listed = await as(countySecretary).get(`/api/v1/campaigns?orgId=${county.id}&state=open`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((x: { id: string }) => x.id)).toContain(id);

    // Closing freezes the summary: later changes do not move it.
    expect((await as(secretaries[c]).post(`/api/v1/campaigns/${id}/close`)).status).toBe(403);
    const closed = await as(leader).post(`/api/v1/campaigns/${id}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ state: 'closed', frozenAt: t.clock.now().toISOString() });
    expect(closed.body.totals).toEqual(board.body.totals);

    // Work goes on after the closure: A's first measure is closed, days pass.
    const a1 = `/api/v1/tasks/${one.body.tasks[0].id}`;
    expect((await as(secretaries[a]).post(`${a1}/accept`)).status).toBe(200);
    expect((await as(secretaries[a]).post(`${a1}/submit`, { summary: '已整改' })).status).toBe(200);
    expect((await as(inspector).post(`${a1}/verify`, { passed: true })).status).toBe(200);
    expect((await as(countySecretary).post(`${a1}/close`, {})).status).toBe(200);
    t.clock.advance(3 * 86400_000);
    const after = await as(leader).get(`/api/v1/campaigns/${id}`);
    expect(after.body.targets).toEqual(board.body.targets);
    expect(after.body.totals).toEqual(board.body.totals);
    const ownAfter = await as(secretaries[c]).get(`/api/v1/campaigns/${id}`);
    expect(ownAfter.body.targets).toEqual([byOrg[c]]);

    expect((await as(leader).post(`/api/v1/campaigns/${id}/close`)).status).toBe(409);
    const late = await as(leader).post(`/api/v1/campaigns/${id}/findings`, finding(d, []));
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('campaign_closed');
    const closedList = await as(leader).get(`/api/v1/campaigns?state=closed`);
    expect(closedList.body.items.map((x: { id: string }) => x.id)).toEqual([id]);
  });
});
