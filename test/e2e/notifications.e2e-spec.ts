import { randomUUID } from 'node:crypto';
import { fieldLabel } from '#duban/domain';
import { NotificationInput, NotificationsService } from '#duban/notifications';
import { ApiClient } from '../support/api-client';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string };

/**
 * The inbox, read receipts, settings and absence delegation over HTTP, with notices made the
 * way the engine makes them: NotificationsService.notify inside a transaction.
 *
 * 某某县委 (committee)
 * ├── 第一支部 (branch) — secretary, two members
 * └── 第二支部 (branch) — secretary (must not manage the first branch's robot)
 */
describe('notifications: inbox, settings, delegation', () => {
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string };
  let branchA: { id: string };
  let branchB: { id: string };
  let secretaryA: Person;
  let memberA: Person;
  let colleagueA: Person;
  let secretaryB: Person;
  let outsider: Person;

  const as = (p: Person | string) => {
    const token = typeof p === 'string' ? p : p.token;
    return {
      get: (url: string) => t.http().get(url).auth(token, { type: 'bearer' }),
      post: (url: string, body: object = {}) =>
        t.http().post(url).auth(token, { type: 'bearer' }).send(body),
      put: (url: string, body: object) =>
        t.http().put(url).auth(token, { type: 'bearer' }).send(body),
      delete: (url: string) => t.http().delete(url).auth(token, { type: 'bearer' }),
    };
  };

  const notify = (input: NotificationInput) =>
    t.db.transaction((m) => t.app.get(NotificationsService).notify(m, input, t.clock.now()));

  const reminder = (userIds: string[], dedupeKey = `task:${randomUUID()}:reminder:7`) => ({
    userIds,
    kind: 'reminder' as const,
    dedupeKey,
    params: {
      taskId: randomUUID(),
      taskMeasure: '制定“三会一课”年度计划并建立会议记录台账',
      dueAt: '2026-11-30T15:59:59.999Z',
      orgName: '第一支部',
      workingDaysLeft: 7,
    },
  });

  beforeAll(async () => {
    t = await startTestApp({ DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400) });
    api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    branchA = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: county.id });
    branchB = await api.createOrg(admin, { name: '第二支部', kind: 'branch', parentId: county.id });
    secretaryA = await api.createPerson(admin, [{ orgId: branchA.id, role: 'secretary' }], 'sec-a');
    memberA = await api.createPerson(admin, [{ orgId: branchA.id, role: 'member' }], 'member-a');
    colleagueA = await api.createPerson(
      admin,
      [{ orgId: branchA.id, role: 'member' }],
      'colleague',
    );
    secretaryB = await api.createPerson(admin, [{ orgId: branchB.id, role: 'secretary' }], 'sec-b');
    outsider = await api.createPerson(admin, [{ orgId: branchB.id, role: 'member' }], 'outsider');
  });
  afterAll(() => t.close());

  it('delivers the same notice to a person once, however often it is asked for', async () => {
    const input = reminder([memberA.id]);
    expect(await notify(input)).toEqual([memberA.id]);
    expect(await notify(input)).toEqual([]);
    // Asked again together with someone new: only the new person is notified.
    expect(await notify({ ...input, userIds: [memberA.id, colleagueA.id] })).toEqual([
      colleagueA.id,
    ]);

    const rows: { n: string }[] = await t.db.query(
      'SELECT count(*) AS n FROM notifications WHERE dedupe_key = $1 AND user_id = $2',
      [input.dedupeKey, memberA.id],
    );
    expect(Number(rows[0].n)).toBe(1);

    const inbox = await as(memberA).get('/api/v1/notifications');
    expect(inbox.status).toBe(200);
    const mine = inbox.body.items.filter(
      (n: { data: { taskId: string } }) => n.data.taskId === input.params.taskId,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      kind: 'reminder',
      title: '【提醒】“制定“三会一课”年度计划并建立会议记录台账”将于2026年11月30日到期',
      readAt: null,
      viaDelegationFrom: null,
    });
    expect(mine[0].body).toContain('（还剩7个工作日）');
  });

  it('lists unread notices newest first, and records read receipts idempotently', async () => {
    const reader = await api.createPerson(admin, [{ orgId: branchA.id, role: 'member' }], 'reader');
    const first = reminder([reader.id]);
    await notify(first);
    t.clock.advance(60_000);
    const second = reminder([reader.id]);
    await notify(second);

    let res = await as(reader).get('/api/v1/notifications?unread=true');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.map((n: { data: { taskId: string } }) => n.data.taskId)).toEqual([
      second.params.taskId,
      first.params.taskId,
    ]);
    const [newest, oldest] = res.body.items as { id: string }[];

    const readAt = t.clock.now().toISOString();
    res = await as(reader).post(`/api/v1/notifications/${oldest.id}/read`);
    expect(res.status).toBe(200);
    expect(res.body.readAt).toBe(readAt);

    // Reading again later keeps the first receipt.
    t.clock.advance(3600_000);
    res = await as(reader).post(`/api/v1/notifications/${oldest.id}/read`);
    expect(res.status).toBe(200);
    expect(res.body.readAt).toBe(readAt);

    res = await as(reader).get('/api/v1/notifications?unread=true');
    expect(res.body.items.map((n: { id: string }) => n.id)).toEqual([newest.id]);
    res = await as(reader).get('/api/v1/notifications?page=1&pageSize=1');
    expect(res.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(res.body.items).toHaveLength(1);

    // Someone else's notice is not found, whether it exists or not.
    res = await as(outsider).post(`/api/v1/notifications/${newest.id}/read`);
    expect(res.status).toBe(404);
    res = await as(reader).post(`/api/v1/notifications/${randomUUID()}/read`);
    expect(res.status).toBe(404);
    res = await as(reader).post('/api/v1/notifications/not-a-uuid/read');
    expect(res.status).toBe(400);
    res = await as(reader).get('/api/v1/notifications?unread=maybe');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('未读须为 true 或 false');
  });

  it('marks all read except the notices that must be acknowledged one by one', async () => {
    const busy = await api.createPerson(admin, [{ orgId: branchA.id, role: 'member' }], 'busy');
    await notify(reminder([busy.id]));
    await notify(reminder([busy.id]));
    await notify({
      userIds: [busy.id],
      kind: 'escalation',
      dedupeKey: `task:${randomUUID()}:step:2`,
      urgent: true,
      requiresAck: true,
      params: {
        taskId: randomUUID(),
        level: 2,
        stepName: '督办',
        taskMeasure: '整改措施',
        dueAt: '2026-10-31T15:59:59.999Z',
        orgName: '第一支部',
      },
    });
    const res = await as(busy).post('/api/v1/notifications/read-all');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ updated: 2, awaitingAcknowledgement: 1 });
    const unread = await as(busy).get('/api/v1/notifications?unread=true');
    expect(unread.body.items.map((n: { kind: string }) => n.kind)).toEqual(['escalation']);
  });

  it('validates settings with 400s that name the field, and keeps the inbox on', async () => {
    const url = '/api/v1/me/notification-settings';
    let res = await as(memberA).get(url);
    expect(res.status).toBe(200);
    // Routine notices go into one daily digest unless the person turns it off.
    expect(res.body).toEqual({
      channels: ['inbox', 'email'],
      digest: true,
      digestTime: '08:00',
      digestTimeIsDefault: true,
      quietHours: null,
      timeZone: 'Asia/Shanghai',
      timeZoneFromOrg: true,
    });

    const bad: [object, string][] = [
      [{ channels: ['sms'], digest: false }, 'channels'],
      [{ channels: 'email', digest: false }, 'channels'],
      [{ channels: ['email'], digest: 'yes' }, 'digest'],
      [
        { channels: ['email'], digest: true, quietHours: { start: '25:00', end: '07:00' } },
        'quietHours.start',
      ],
      [{ channels: ['email'], digest: true, quietHours: { start: '22:00' } }, 'quietHours.end'],
      [
        { channels: ['email'], digest: true, quietHours: { start: '22:00', end: '22:00' } },
        'quietHours',
      ],
      [{ channels: ['email'], digest: true, quietHours: '22:00-07:00' }, 'quietHours'],
      [{ channels: ['email'], digest: true, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ channels: ['email'], digest: true, volume: 11 }, 'volume'],
      [{ channels: ['email'], digest: true, digestTime: '8点' }, 'digestTime'],
      [{ channels: ['email'], digest: true, digestTime: '24:00' }, 'digestTime'],
    ];
    for (const [body, field] of bad) {
      res = await as(memberA).put(url, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.message).toContain(fieldLabel(field));
    }

    res = await as(memberA).put(url, {
      channels: ['email', 'webhook'],
      digest: true,
      quietHours: { start: '22:00', end: '07:00' },
      timeZone: 'Asia/Urumqi',
      digestTime: '18:30',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      channels: ['inbox', 'email', 'webhook'],
      digest: true,
      digestTime: '18:30',
      digestTimeIsDefault: false,
      quietHours: { start: '22:00', end: '07:00' },
      timeZone: 'Asia/Urumqi',
      timeZoneFromOrg: false,
    });
    expect((await as(memberA).get(url)).body).toEqual(res.body);

    res = await as(memberA).put(url, { channels: [], digest: false, quietHours: null });
    expect(res.body).toMatchObject({
      channels: ['inbox'],
      digestTime: '08:00',
      digestTimeIsDefault: true,
      quietHours: null,
      timeZoneFromOrg: true,
    });
  });

  it('sends a notice to the deputy of an absent person, recorded as such, while the delegation lasts', async () => {
    const principal = await api.createPerson(
      admin,
      [{ orgId: branchA.id, role: 'member' }],
      'away',
    );
    const deputy = await api.createPerson(admin, [{ orgId: branchA.id, role: 'member' }], 'deputy');
    // Today in Shanghai is 2026-11-02 at the start of this file; the clock has moved a little.
    const today = '2026-11-02';

    let res = await as(principal).post('/api/v1/me/delegations', {
      deputyId: deputy.id,
      startsOn: today,
      endsOn: '2026-11-04',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userId: principal.id,
      deputyId: deputy.id,
      startsOn: today,
      endsOn: '2026-11-04',
      direction: 'granted',
    });
    const delegationId = res.body.id;
    res = await as(deputy).get('/api/v1/me/delegations');
    expect(res.body).toEqual([
      expect.objectContaining({ id: delegationId, direction: 'received' }),
    ]);

    const input = reminder([principal.id]);
    expect((await notify(input)).sort()).toEqual([principal.id, deputy.id].sort());
    res = await as(deputy).get('/api/v1/notifications');
    const copy = res.body.items.find(
      (n: { data: { taskId: string } }) => n.data.taskId === input.params.taskId,
    );
    expect(copy).toMatchObject({ viaDelegationFrom: principal.id, kind: 'reminder' });
    res = await as(principal).get('/api/v1/notifications');
    expect(res.body.items[0]).toMatchObject({ viaDelegationFrom: null });

    // A deputy who is a recipient anyway gets one copy, their own.
    const both = reminder([principal.id, deputy.id]);
    await notify(both);
    const rows: { via_delegation_from: string | null }[] = await t.db.query(
      'SELECT via_delegation_from FROM notifications WHERE user_id = $1 AND dedupe_key = $2',
      [deputy.id, both.dedupeKey],
    );
    expect(rows).toEqual([{ via_delegation_from: null }]);

    // After the last day (in the principal's zone) the deputy is no longer told.
    t.clock.set('2026-11-04T16:00:00.000Z'); // 00:00 on 5 Nov in Shanghai
    expect(await notify(reminder([principal.id]))).toEqual([principal.id]);

    // Delegations are ended by the person who granted them; nobody else sees them.
    res = await as(deputy).delete(`/api/v1/me/delegations/${delegationId}`);
    expect(res.status).toBe(404);
    res = await as(principal).delete(`/api/v1/me/delegations/${delegationId}`);
    expect(res.status).toBe(204);
  });

  it('refuses delegations that are malformed or would show notices to someone not entitled', async () => {
    const today = '2026-11-05';
    const cases: [object, string][] = [
      [{ deputyId: 'x', startsOn: today, endsOn: today }, 'deputyId'],
      [{ deputyId: colleagueA.id, startsOn: '2026-13-01', endsOn: today }, 'startsOn'],
      [{ deputyId: colleagueA.id, startsOn: today, endsOn: '2026-11-01' }, 'endsOn'],
      [{ deputyId: colleagueA.id, startsOn: '2026-10-01', endsOn: '2026-10-02' }, 'endsOn'],
      [{ deputyId: memberA.id, startsOn: today, endsOn: today }, 'deputyId'],
      // Someone from the second branch may not read the first branch's notices.
      [{ deputyId: outsider.id, startsOn: today, endsOn: today }, 'deputyId'],
      [{ deputyId: randomUUID(), startsOn: today, endsOn: today }, 'deputyId'],
    ];
    for (const [body, field] of cases) {
      const res = await as(memberA).post('/api/v1/me/delegations', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.errors?.[0]?.field).toBe(field);
      expect(res.body.message).toContain(fieldLabel(field));
    }
    // The secretary of one's own branch may stand in.
    const ok = await as(memberA).post('/api/v1/me/delegations', {
      deputyId: secretaryA.id,
      startsOn: today,
      endsOn: today,
    });
    expect(ok.status).toBe(201);
    const again = await as(memberA).post('/api/v1/me/delegations', {
      deputyId: secretaryA.id,
      startsOn: today,
      endsOn: today,
    });
    expect(again.status).toBe(409);
  });

  it('lets an admin or the secretary set an org robot; others get 403, other orgs 404', async () => {
    const url = `/api/v1/orgs/${branchA.id}/webhook`;
    const body = { url: 'https://robot.example.org/send?token=abc', secret: 's'.repeat(32) };

    let res = await as(secretaryB).put(url, body);
    expect(res.status).toBe(404);
    res = await as(memberA).put(url, body);
    expect(res.status).toBe(403);
    res = await as(secretaryA).put(url, { url: 'ftp://robot.example.org', secret: 's'.repeat(32) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^地址/);
    res = await as(secretaryA).put(url, { url: body.url, secret: 'short' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^签名密钥/);

    res = await as(secretaryA).put(url, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orgId: branchA.id, url: body.url, hasSecret: true });
    expect(JSON.stringify(res.body)).not.toContain(body.secret);
    res = await as(admin).get(url);
    expect(res.status).toBe(200);
    res = await as(secretaryA).delete(url);
    expect(res.status).toBe(204);
    res = await as(secretaryA).get(url);
    expect(res.status).toBe(404);
  });

  it('shows the delivery log to admins only', async () => {
    expect((await as(memberA).get('/api/v1/admin/deliveries')).status).toBe(403);
    expect((await as(admin).get('/api/v1/admin/deliveries?state=lost')).status).toBe(400);
    const res = await as(admin).get('/api/v1/admin/deliveries?state=dead');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], total: 0 });
  });

  it('describes every notification endpoint in the OpenAPI document', async () => {
    const doc = await t.http().get('/api/docs-json');
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/notifications',
        '/api/v1/notifications/{id}/read',
        '/api/v1/notifications/read-all',
        '/api/v1/me/notification-settings',
        '/api/v1/me/delegations',
        '/api/v1/me/delegations/{id}',
        '/api/v1/admin/deliveries',
        '/api/v1/orgs/{orgId}/webhook',
      ]),
    );
  });
});
