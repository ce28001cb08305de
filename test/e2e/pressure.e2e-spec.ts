import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string; username: string };

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * 压力层层传导: the raising committee is told (`raiser`), discipline inspection is found at the
 * nearest org at or above the raising org, a step that reaches nobody says so, and the 约谈 the
 * 通报 step makes due is recorded or becomes overdue.
 */
const POLICY = {
  remindBefore: [],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
    { level: 3, name: '通报', after: 'PT2H', notify: ['raiser', 'leader'] },
    { level: 4, name: '问责', after: 'PT3H', notify: ['discipline', 'raiser'] },
  ],
};

describe('escalation audiences, unreached steps and talks (压力层层传导)', () => {
  let t: TestApp;
  let api: ApiClient;
  let engine: EngineDriver;
  let county: { id: string };
  let township: { id: string };
  let branch: { id: string };
  let countyDiscipline: Person;
  let townSecretary: Person;
  let responsible: Person;
  let leader: Person;

  const as = (p: Person) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  async function newTask(dueInMs: number, withLeader = true): Promise<string> {
    const res = await as(townSecretary).post('/api/v1/problems', {
      title: '三会一课不规范',
      description: '支部委员会会议记录缺失',
      category: 'organisational_life',
      severity: 'general',
      source: 'roving_check',
      orgId: branch.id,
      raisedByOrgId: township.id,
      tasks: [
        {
          measure: '补齐会议记录并建立台账',
          responsibleOrgId: branch.id,
          responsibleUserId: responsible.id,
          ...(withLeader ? { leaderUserId: leader.id } : {}),
          mode: 'deadline',
          dueAt: new Date(t.clock.now().getTime() + dueInMs).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(201);
    return res.body.tasks[0].id;
  }

  const escalations = async (taskId: string) =>
    (await as(townSecretary).get(`/api/v1/tasks/${taskId}/escalations`).expect(200)).body as {
      level: number;
      notified: string[];
      unreached: string[];
      talkDueBy?: string;
    }[];

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    engine = new EngineDriver(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某县委', kind: 'committee' });
    township = await api.createOrg(admin, {
      name: '某镇党委',
      kind: 'committee',
      parentId: county.id,
    });
    branch = await api.createOrg(admin, {
      name: '某村支部',
      kind: 'branch',
      parentId: township.id,
    });
    countyDiscipline = await api.createPerson(
      admin,
      [{ orgId: county.id, role: 'discipline' }],
      'county-discipline',
    );
    townSecretary = await api.createPerson(
      admin,
      [{ orgId: township.id, role: 'secretary' }],
      'town-secretary',
    );
    responsible = await api.createPerson(
      admin,
      [{ orgId: branch.id, role: 'member' }],
      'responsible',
    );
    leader = await api.createPerson(admin, [{ orgId: township.id, role: 'member' }], 'leader');
    await as(townSecretary)
      .put(`/api/v1/orgs/${township.id}/escalation-policy`, POLICY)
      .expect(200);
    await engine.sweep();
  });
  afterAll(() => t.close());

  it('accepts raiser as an audience and rejects unknown ones', async () => {
    const bad = await as(townSecretary).put(`/api/v1/orgs/${township.id}/escalation-policy`, {
      ...POLICY,
      steps: [{ level: 1, name: '催办', after: 'PT0S', notify: ['mayor'] }],
    });
    expect(bad.status).toBe(400);
    const got = await as(townSecretary)
      .get(`/api/v1/orgs/${township.id}/escalation-policy`)
      .expect(200);
    expect(got.body.steps[2].notify).toEqual(['raiser', 'leader']);
  });

  it('a raiser step reaches the committee secretary; discipline is the nearest inspector above; nobody is said so', async () => {
    const taskId = await newTask(HOUR);
    const orphan = await newTask(HOUR, false);
    t.clock.advance(HOUR + 1000);
    await engine.sweep();
    t.clock.advance(3 * HOUR);
    await engine.sweep();
    await engine.sweep();
    const steps = await escalations(taskId);
    expect(steps.map((s) => s.level)).toEqual([1, 2, 3, 4]);
    // 督办: the branch has no secretary, its parent (the township) has one.
    expect(steps[1]).toMatchObject({ notified: [townSecretary.id], unreached: ['secretary'] });
    expect(steps[2].notified).toEqual(expect.arrayContaining([townSecretary.id, leader.id]));
    expect(steps[2].unreached).toEqual([]);
    expect(steps[3].notified).toEqual(
      expect.arrayContaining([countyDiscipline.id, townSecretary.id]),
    );
    expect(steps[3].unreached).toEqual([]);

    const orphanSteps = await escalations(orphan);
    expect(orphanSteps[0]).toMatchObject({ notified: [responsible.id], unreached: ['leader'] });

    const inbox = await as(countyDiscipline).get('/api/v1/notifications?pageSize=100').expect(200);
    expect(
      inbox.body.items.some(
        (n: { kind: string; taskId?: string }) => n.kind === 'accountability_opened',
      ),
    ).toBe(true);

    const summary = await as(townSecretary)
      .get(`/api/v1/reports/summary?orgId=${township.id}`)
      .expect(200);
    // Two tasks' 督办 (no branch secretary) and the orphan's 催办 and 通报 (no leader).
    expect(summary.body.unreachedSteps).toBe(4);
  });

  it('records a 约谈; one not recorded within 10 working days is overdue', async () => {
    const taskId = await newTask(HOUR);
    t.clock.advance(HOUR + 1000);
    await engine.sweep();
    t.clock.advance(2 * HOUR);
    await engine.sweep();
    const step = (await escalations(taskId)).find((s) => s.level === 3)!;
    expect(step.talkDueBy).toBeDefined();
    const before = await as(townSecretary).get(`/api/v1/tasks/${taskId}`).expect(200);
    expect(before.body.talk).toMatchObject({ state: 'due', dueBy: step.talkDueBy });

    t.clock.advance(20 * DAY);
    for (const p of [townSecretary, responsible])
      p.token = await api.login(p.username, 'a-long-password-1');
    const late = await as(townSecretary).get(`/api/v1/tasks/${taskId}`).expect(200);
    expect(late.body.talk.state).toBe('overdue');
    const summary = await as(townSecretary)
      .get(`/api/v1/reports/summary?orgId=${township.id}`)
      .expect(200);
    expect(summary.body.overdueTalks).toBeGreaterThanOrEqual(1);

    const bad = await as(townSecretary).post(`/api/v1/tasks/${taskId}/talks`, {
      heldOn: 'yesterday',
      participantUserIds: [],
      notes: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['heldOn', 'participantUserIds', 'notes']),
    );
    expect(
      (
        await as(responsible).post(`/api/v1/tasks/${taskId}/talks`, {
          heldOn: '2026-01-05',
          participantUserIds: [leader.id],
          notes: '约谈分管领导',
        })
      ).status,
    ).toBe(403);
    const talk = await as(townSecretary)
      .post(`/api/v1/tasks/${taskId}/talks`, {
        heldOn: '2026-01-05',
        participantUserIds: [leader.id, responsible.id],
        notes: '约谈分管领导，要求十日内补齐记录',
      })
      .expect(201);
    expect(talk.body).toMatchObject({ taskId, participantUserIds: [leader.id, responsible.id] });
    const after = await as(townSecretary).get(`/api/v1/tasks/${taskId}`).expect(200);
    expect(after.body.talk).toMatchObject({ state: 'held' });
    const talks = await as(townSecretary).get(`/api/v1/tasks/${taskId}/talks`).expect(200);
    expect(talks.body).toHaveLength(1);
  });
});
