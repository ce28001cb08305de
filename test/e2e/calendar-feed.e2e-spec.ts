import { createHash } from 'node:crypto';
import { ApiClient } from '../support/api-client';
import { eventsOf } from '../support/ics-check';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { startTestApp, TestApp } from '../support/test-app';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const POLICY = {
  remindBefore: ['PT2H', 'PT1H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
  ],
};

/**
 * The clock starts at 2026-11-02 09:00 Beijing time. 张三 answers for two measures with
 * deadlines (an exact instant and a whole day) and a standing one; 李四 for another.
 */
describe('calendar feed (ICS): my open measures at their deadlines, revocable', () => {
  let t: TestApp;
  let county: { id: string };
  let branch: { id: string };
  let secretary: NamedPerson;
  let supervisor: NamedPerson;
  let zhang: NamedPerson;
  let li: NamedPerson;
  let exactTaskId: string;
  let dayTaskId: string;
  let start: number;

  const as = (p: NamedPerson) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    delete: (url: string) => t.http().delete(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });
  const feed = (url: string) => t.http().get(new URL(url).pathname).buffer(true);

  beforeAll(async () => {
    t = await startTestApp();
    const api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    branch = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: county.id });
    const named = (roles: { orgId: string; role: string }[], username: string, name: string) =>
      createNamedPerson(t, admin, roles, username, name);
    secretary = await named([{ orgId: county.id, role: 'secretary' }], 'ics-sec', '县委书记');
    supervisor = await named([{ orgId: county.id, role: 'supervisor' }], 'ics-sup', '督查员');
    zhang = await named([{ orgId: branch.id, role: 'member' }], 'ics-zhang', '张三');
    li = await named([{ orgId: branch.id, role: 'member' }], 'ics-li', '李四');
    await as(secretary).put(`/api/v1/orgs/${county.id}/escalation-policy`, POLICY).expect(200);
    start = t.clock.now().getTime();
    const res = await as(supervisor).post('/api/v1/problems', {
      title: '支部“三会一课”不规范; 记录, 缺失',
      description: '督查中发现',
      category: 'organisational_life',
      severity: 'serious',
      source: 'quarterly_check',
      orgId: branch.id,
      raisedByOrgId: county.id,
      tasks: [
        {
          measure: '补齐会议记录',
          responsibleOrgId: branch.id,
          responsibleUserId: zhang.id,
          mode: 'deadline',
          dueAt: new Date(start + 3 * DAY).toISOString(),
        },
        {
          measure: `建立长效机制：${'每月专题研究并形成书面记录'.repeat(4)}`,
          responsibleOrgId: branch.id,
          responsibleUserId: zhang.id,
          mode: 'deadline',
          dueDate: '2026-11-20',
        },
        {
          measure: '长期坚持学习',
          responsibleOrgId: branch.id,
          responsibleUserId: zhang.id,
          mode: 'standing',
        },
        {
          measure: '李四的措施',
          responsibleOrgId: branch.id,
          responsibleUserId: li.id,
          mode: 'deadline',
          dueDate: '2026-11-10',
        },
      ],
    });
    expect(res.status).toBe(201);
    const idOf = (prefix: string) =>
      res.body.tasks.find((x: { measure: string }) => x.measure.startsWith(prefix)).id as string;
    exactTaskId = idOf('补齐会议记录');
    dayTaskId = idOf('建立长效机制');
  });
  afterAll(() => t.close());

  it('gives one secret URL per person, stores only its hash, and the feed needs no bearer token', async () => {
    const first = await as(zhang).get('/api/v1/me/calendar-feed').expect(200);
    const again = await as(zhang).get('/api/v1/me/calendar-feed').expect(200);
    // supertest serves each request on a new port: compare the paths.
    const path = (url: string) => new URL(url).pathname;
    expect(path(again.body.url)).toBe(path(first.body.url));
    expect(first.body.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calendar-feeds\/.+\.ics$/);
    const token = /calendar-feeds\/(.+)\.ics$/.exec(first.body.url)![1];
    const rows = await t.db.query(`SELECT * FROM calendar_feeds WHERE user_id = $1`, [zhang.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0].token_sha256).toBe(createHash('sha256').update(token).digest('hex'));
    const other = await as(li).get('/api/v1/me/calendar-feed').expect(200);
    expect(path(other.body.url)).not.toBe(path(first.body.url));

    const res = await feed(first.body.url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(
      await t
        .http()
        .get('/api/v1/me/calendar-feed')
        .then((r) => r.status),
    ).toBe(401);
  });

  it('lists one VEVENT per open measure with a deadline, alarms at the policy’s reminders', async () => {
    const { body } = await as(zhang).get('/api/v1/me/calendar-feed').expect(200);
    const text = (await feed(body.url)).text;
    const events = eventsOf(text);
    expect(events.map((e) => e.uid).sort()).toEqual(
      [`task-${exactTaskId}@duban`, `task-${dayTaskId}@duban`].sort(),
    );
    const exact = events.find((e) => e.uid === `task-${exactTaskId}@duban`)!;
    const due = start + 3 * DAY;
    expect(exact.end.getTime()).toBe(due);
    expect(exact.start.getTime()).toBe(due - HOUR);
    expect(exact.sequence).toBe(1);
    expect(exact.summary).toBe('整改时限：补齐会议记录');
    expect(exact.description).toContain('问题：支部“三会一课”不规范; 记录, 缺失');
    expect(exact.description).toContain(`/tasks/${exactTaskId}`);
    expect(exact.url).toMatch(new RegExp(`/tasks/${exactTaskId}$`));
    expect(exact.alarms.map((a) => a.getTime()).sort()).toEqual([due - 2 * HOUR, due - HOUR]);
    // A whole-day deadline (end of 2026-11-20 in Beijing) ends at the next local midnight.
    const day = events.find((e) => e.uid === `task-${dayTaskId}@duban`)!;
    expect(day.end.toISOString()).toBe('2026-11-20T16:00:00.000Z');
    expect(day.summary.length).toBeGreaterThan(40); // long enough to be folded
    expect(text).toMatch(/\r\n /);
  });

  it('follows the deadline when an extension is approved (same UID, higher SEQUENCE)', async () => {
    const { body } = await as(zhang).get('/api/v1/me/calendar-feed').expect(200);
    const before = eventsOf((await feed(body.url)).text).find(
      (e) => e.uid === `task-${exactTaskId}@duban`,
    )!;
    await as(zhang).post(`/api/v1/tasks/${exactTaskId}/accept`).expect(200);
    await as(zhang)
      .post(`/api/v1/tasks/${exactTaskId}/progress`, { content: '已补齐一半' })
      .expect(200);
    const newDue = start + 6 * DAY;
    const asked = await as(zhang).post(`/api/v1/tasks/${exactTaskId}/extensions`, {
      newDueAt: new Date(newDue).toISOString(),
      reason: '需等待资金拨付',
    });
    expect(asked.status).toBe(201);
    await as(secretary).post(`/api/v1/extensions/${asked.body.id}/approve`, {}).expect(200);
    const after = eventsOf((await feed(body.url)).text).find(
      (e) => e.uid === `task-${exactTaskId}@duban`,
    )!;
    expect(after.end.getTime()).toBe(newDue);
    expect(after.sequence).toBeGreaterThan(before.sequence);
    expect(after.alarms.map((a) => a.getTime()).sort()).toEqual([newDue - 2 * HOUR, newDue - HOUR]);
  });

  it('revokes: the old URL answers 404 at once, a new GET makes a new URL', async () => {
    const { body } = await as(zhang).get('/api/v1/me/calendar-feed').expect(200);
    await as(zhang).delete('/api/v1/me/calendar-feed').expect(204);
    const gone = await feed(body.url);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ statusCode: 404, code: 'calendar_feed_not_found' });
    const renewed = await as(zhang).get('/api/v1/me/calendar-feed').expect(200);
    expect(new URL(renewed.body.url).pathname).not.toBe(new URL(body.url).pathname);
    expect((await feed(renewed.body.url)).status).toBe(200);
    for (const bad of ['nonsense.ics', `${'a'.repeat(75)}.ics`, 'x']) {
      expect((await t.http().get(`/api/v1/calendar-feeds/${bad}`)).status).toBe(404);
    }
  });
});
