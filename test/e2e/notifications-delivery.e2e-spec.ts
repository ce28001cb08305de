import { createHmac, randomUUID } from 'node:crypto';
import {
  DeliveryDueSource,
  DeliveryOutcome,
  DeliveryProcessor,
  NotificationInput,
  NotificationsService,
  NOTIFICATIONS_QUEUE,
  retryBackoffMs,
} from '#duban/notifications';
import { type DueJob, JOB } from '#duban/scheduling';
import { ApiClient } from '../support/api-client';
import { TestSmtpServer, TestWebhookReceiver } from '../support/notification-servers';
import { startTestApp, TestApp } from '../support/test-app';

type Person = { id: string; token: string; email: string };

interface DeliveryRow {
  id: string;
  state: string;
  attempts: number;
  next_attempt_at: Date | null;
  digest_id: string | null;
}

/**
 * Deliveries end to end: a real SMTP server and real HTTP robots on 127.0.0.1, the sweep's
 * claim (DeliveryDueSource) and the worker's job handler (DeliveryProcessor) driven by hand
 * with the test clock moved past each backoff, quiet hour and digest time.
 */
describe('notifications: e-mail and webhook deliveries', () => {
  const smtp = new TestSmtpServer();
  const robot = new TestWebhookReceiver(() => 200);
  const brokenRobot = new TestWebhookReceiver(() => 500);
  const silentRobot = new TestWebhookReceiver(() => 0);
  const secret = 'robot-secret-'.padEnd(40, 'k');
  let robotUrl: string;
  let brokenRobotUrl: string;
  let silentRobotUrl: string;
  let t: TestApp;
  let api: ApiClient;
  let admin: string;
  let county: { id: string };
  let branchA: { id: string };
  let branchB: { id: string };
  let secretaryA: { id: string; token: string };
  let counter = 0;

  const notify = (input: NotificationInput) =>
    t.db.transaction((m) => t.app.get(NotificationsService).notify(m, input, t.clock.now()));

  const claim = (limit = 100): Promise<DueJob<'deliver'>[]> =>
    t.app.get(DeliveryDueSource).claim(t.clock.now(), limit);

  /** One sweep and the jobs it produced, run the way the worker runs them. */
  async function sweep(): Promise<{ jobs: DueJob<'deliver'>[]; outcomes: DeliveryOutcome[] }> {
    const jobs = await claim();
    const outcomes: DeliveryOutcome[] = [];
    for (const job of jobs) {
      outcomes.push(await t.app.get(DeliveryProcessor).deliver(job.data.deliveryId));
    }
    return { jobs, outcomes };
  }

  /** Single e-mails unless a test asks otherwise (the digest is on by default). */
  async function person(
    orgId: string,
    settings: object = { channels: ['inbox', 'email'], digest: false },
  ): Promise<Person> {
    const p = await api.createPerson(admin, [{ orgId, role: 'member' }], `p${++counter}`);
    const email = `${p.username}@example.org`;
    await t.db.query('UPDATE users SET email = $2 WHERE id = $1', [p.id, email]);
    if (settings) {
      const res = await t
        .http()
        .put('/api/v1/me/notification-settings')
        .auth(p.token, { type: 'bearer' })
        .send(settings);
      expect(res.status).toBe(200);
    }
    return { id: p.id, token: p.token, email };
  }

  const reminder = (userIds: string[], measure = '制定“三会一课”年度计划') => ({
    userIds,
    kind: 'reminder' as const,
    dedupeKey: `task:${randomUUID()}:reminder:1`,
    params: {
      taskId: randomUUID(),
      taskMeasure: measure,
      dueAt: '2026-11-30T15:59:59.999Z',
      orgName: '第一支部',
    },
  });

  const escalation = (userIds: string[], extra: Partial<NotificationInput> = {}) => ({
    userIds,
    kind: 'escalation' as const,
    dedupeKey: `task:${randomUUID()}:step:2:v1`,
    urgent: true,
    params: {
      taskId: randomUUID(),
      level: 2,
      stepName: '督办',
      taskMeasure: '落实党员教育管理制度',
      dueAt: '2026-10-31T15:59:59.999Z',
      orgName: '第一支部',
      overdueWorkingDays: 5,
    },
    ...extra,
  });

  async function emailDelivery(userId: string, dedupeKey: string, chase = 0): Promise<DeliveryRow> {
    const rows: DeliveryRow[] = await t.db.query(
      `SELECT d.id, d.state, d.attempts, d.next_attempt_at, d.digest_id
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id
        WHERE n.user_id = $1 AND n.dedupe_key = $2 AND d.chase = $3`,
      [userId, dedupeKey, chase],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  const deliveryById = async (id: string): Promise<DeliveryRow> =>
    ((await t.db.query('SELECT * FROM deliveries WHERE id = $1', [id])) as DeliveryRow[])[0];

  const ids = (jobs: DueJob<'deliver'>[]) => jobs.map((j) => j.data.deliveryId);

  beforeAll(async () => {
    const port = await smtp.start();
    robotUrl = await robot.start();
    brokenRobotUrl = await brokenRobot.start();
    silentRobotUrl = await silentRobot.start();
    t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      DUBAN_SMTP_TIMEOUT_MS: '5000',
      DUBAN_WEBHOOK_TIMEOUT_MS: '2000',
      DUBAN_TOKEN_TTL_SECONDS: String(7 * 86400),
    });
    api = new ApiClient(t);
    admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    branchA = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: county.id });
    branchB = await api.createOrg(admin, { name: '第二支部', kind: 'branch', parentId: county.id });
    secretaryA = await api.createPerson(admin, [{ orgId: branchA.id, role: 'secretary' }], 'sec');
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([smtp.close(), robot.close(), brokenRobot.close(), silentRobot.close()]);
  });

  it('retries an e-mail the SMTP server refused twice and delivers it once, logging each attempt', async () => {
    const flaky = await person(branchA.id);
    smtp.failNext = 2;
    const input = reminder([flaky.id]);
    expect(await notify(input)).toEqual([flaky.id]);
    const delivery = await emailDelivery(flaky.id, input.dedupeKey);

    let run = await sweep();
    expect(run.jobs).toEqual([
      {
        name: JOB.deliver,
        jobId: expect.stringMatching(new RegExp(`^deliver:${delivery.id}:0:g\\d+$`)),
        data: { deliveryId: delivery.id },
      },
    ]);
    expect(run.outcomes).toEqual(['retry']);

    // Not before the backoff (30 s after the first failure) has passed.
    t.clock.advance(retryBackoffMs(1) - 1000);
    expect(ids((await sweep()).jobs)).not.toContain(delivery.id);
    t.clock.advance(1000);
    run = await sweep();
    expect(run.jobs.map((j) => j.jobId)).toEqual([
      expect.stringMatching(new RegExp(`^deliver:${delivery.id}:1:g\\d+$`)),
    ]);
    expect(run.outcomes).toEqual(['retry']);

    t.clock.advance(retryBackoffMs(2));
    run = await sweep();
    expect(run.jobs.map((j) => j.jobId)).toEqual([
      expect.stringMatching(new RegExp(`^deliver:${delivery.id}:2:g\\d+$`)),
    ]);
    expect(run.outcomes).toEqual(['sent']);
    expect((await sweep()).jobs).toEqual([]);

    const mails = smtp.to(flaky.email);
    expect(mails.map((m) => m.accepted)).toEqual([false, false, true]);
    // Every attempt carries the same Message-ID, so a repeat is recognisable as one mail.
    expect(new Set(mails.map((m) => m.messageId))).toEqual(new Set([`<${delivery.id}@localhost>`]));
    expect(mails[2].subject).toBe('【提醒】“制定“三会一课”年度计划”将于2026年11月30日到期');
    expect(mails[2].text).toContain('同志：');
    expect(mails[2].text).toContain('制定“三会一课”年度计划');

    expect(await deliveryById(delivery.id)).toMatchObject({ state: 'sent', attempts: 3 });
    const res = await t
      .http()
      .get('/api/v1/admin/deliveries?state=sent')
      .auth(admin, { type: 'bearer' });
    const logged = res.body.items.find((d: { id: string }) => d.id === delivery.id);
    expect(logged).toMatchObject({
      channel: 'email',
      state: 'sent',
      attempts: 3,
      userId: flaky.id,
    });
    expect(
      logged.log.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome]),
    ).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'sent'],
    ]);
    expect(logged.log[0].error).toMatch(/451/);
  });

  it('hands each due delivery to one claim only, and re-claims it after a lost job’s lease', async () => {
    const people = await Promise.all(Array.from({ length: 8 }, () => person(branchA.id)));
    const inputs = people.map((p) => reminder([p.id]));
    for (const input of inputs) await notify(input);
    const expected = await Promise.all(
      inputs.map(async (input) => (await emailDelivery(input.userIds[0], input.dedupeKey)).id),
    );

    // Two sweeps at the same instant, as two workers would run them.
    const [a, b] = await Promise.all([claim(), claim()]);
    const claimed = [...ids(a), ...ids(b)];
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual([...expected].sort());
    expect(await claim()).toEqual([]);
    expect(a.concat(b).every((j) => /:0:g\d+$/.test(j.jobId))).toBe(true);

    // The jobs were lost (Redis flushed, or failed for good): after the lease the same work is
    // claimed again under new job ids (BullMQ would drop an id it still holds), and still sent once.
    t.clock.advance(5 * 60_000);
    const again = await claim();
    expect(ids(again).sort()).toEqual([...expected].sort());
    const before = new Set(a.concat(b).map((j) => j.jobId));
    expect(again.filter((j) => before.has(j.jobId))).toEqual([]);
    for (const job of again) {
      expect(await t.app.get(DeliveryProcessor).deliver(job.data.deliveryId)).toBe('sent');
      // A duplicate of the same job finds nothing left to do.
      expect(await t.app.get(DeliveryProcessor).deliver(job.data.deliveryId)).toBe('skipped');
    }
    for (const p of people) expect(smtp.to(p.email).filter((m) => m.accepted)).toHaveLength(1);
    expect(t.app.get(DeliveryDueSource).queue).toBe(NOTIFICATIONS_QUEUE);
  });

  it('holds e-mails during quiet hours until they end, but not urgent ones', async () => {
    const sleeper = await person(branchA.id, {
      channels: ['inbox', 'email'],
      digest: false,
      quietHours: { start: '22:00', end: '07:00' },
    });
    t.clock.set('2026-11-02T15:00:00.000Z'); // 23:00 in Shanghai
    const quiet = reminder([sleeper.id]);
    const loud = escalation([sleeper.id]);
    await notify(quiet);
    await notify(loud);

    // The inbox has both at once; only the urgent one is e-mailed at night.
    const inbox = await t
      .http()
      .get('/api/v1/notifications')
      .auth(sleeper.token, { type: 'bearer' });
    expect(inbox.body.total).toBe(2);
    await sweep();
    expect(smtp.to(sleeper.email).map((m) => m.subject)).toEqual([
      '【督办】第一支部：“落实党员教育管理制度”逾期未完成',
    ]);
    const held = await emailDelivery(sleeper.id, quiet.dedupeKey);
    expect(held.next_attempt_at?.toISOString()).toBe('2026-11-02T23:00:00.000Z'); // 07:00 local

    t.clock.set('2026-11-02T22:59:59.000Z');
    await sweep();
    expect(smtp.to(sleeper.email)).toHaveLength(1);
    t.clock.set('2026-11-02T23:00:00.000Z');
    await sweep();
    expect(smtp.to(sleeper.email).map((m) => m.subject)[1]).toBe(
      '【提醒】“制定“三会一课”年度计划”将于2026年11月30日到期',
    );
  });

  it('batches non-urgent e-mails into one daily digest for people who asked for it', async () => {
    const reader = await person(branchA.id, { channels: ['inbox', 'email'], digest: true });
    // 07:00 on 3 Nov in Shanghai; the digest goes out at 08:00 local (00:00Z).
    t.clock.set('2026-11-02T23:00:00.000Z');
    const items = [1, 2, 3].map((i) => reminder([reader.id], `整改措施第${i}项`));
    for (const item of items) await notify(item);
    await notify(escalation([reader.id]));

    await sweep();
    expect(smtp.to(reader.email).map((m) => m.subject)).toEqual([
      '【督办】第一支部：“落实党员教育管理制度”逾期未完成',
    ]);
    const held = await emailDelivery(reader.id, items[0].dedupeKey);
    expect(held).toMatchObject({ state: 'pending', next_attempt_at: null, digest_id: null });

    t.clock.set('2026-11-02T23:59:59.000Z');
    await sweep();
    expect(smtp.to(reader.email)).toHaveLength(1);

    t.clock.set('2026-11-03T00:00:00.000Z');
    const run = await sweep();
    expect(run.outcomes).toEqual(['sent']);
    const mails = smtp.to(reader.email);
    expect(mails).toHaveLength(2);
    // The subject names what the first item is about, and how many there are.
    expect(mails[1].subject).toMatch(
      /^【督办】每日汇总：“整改措施第[123]项”将于2026年11月30日到期等3条$/,
    );
    for (let i = 1; i <= 3; i++) expect(mails[1].text).toContain(`整改措施第${i}项`);
    for (const item of items) {
      expect(await emailDelivery(reader.id, item.dedupeKey)).toMatchObject({ state: 'sent' });
    }
    expect((await sweep()).jobs).toEqual([]);
    expect(smtp.to(reader.email)).toHaveLength(2);
  });

  it('posts once per notice to the org robot, signed with HMAC-SHA256', async () => {
    const res = await t
      .http()
      .put(`/api/v1/orgs/${branchA.id}/webhook`)
      .auth(secretaryA.token, { type: 'bearer' })
      .send({ url: `${robotUrl}/robot/send`, secret });
    expect(res.status).toBe(200);
    const settings = { channels: ['inbox', 'webhook'], digest: false };
    const [one, two, three] = await Promise.all([1, 2, 3].map(() => person(branchA.id, settings)));

    const input = escalation([one.id, two.id], { orgId: branchA.id });
    await notify(input);
    // The same notice to someone else later: no second post to the group.
    await notify({ ...input, userIds: [three.id] });
    const before = robot.posts.length;
    const run = await sweep();
    expect(run.outcomes).toEqual(['sent']);
    expect(robot.posts).toHaveLength(before + 1);

    const post = robot.posts[robot.posts.length - 1];
    expect(post.path).toBe('/robot/send');
    const timestamp = String(post.headers['x-duban-timestamp']);
    expect(timestamp).toBe(String(Math.floor(t.clock.now().getTime() / 1000)));
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${post.body}`).digest('hex')}`;
    expect(post.headers['x-duban-signature']).toBe(expected);
    const body = JSON.parse(post.body);
    expect(body).toMatchObject({
      msgtype: 'text',
      duban: { kind: 'escalation', dedupeKey: input.dedupeKey, orgId: branchA.id, urgent: true },
    });
    expect(body.text.content).toContain('【督办】第一支部：“落实党员教育管理制度”逾期未完成');
    expect((await sweep()).jobs).toEqual([]);
  });

  it('dead-letters a webhook that never accepts after five attempts, visible to admins', async () => {
    const res = await t
      .http()
      .put(`/api/v1/orgs/${branchB.id}/webhook`)
      .auth(admin, { type: 'bearer' })
      .send({ url: brokenRobotUrl, secret });
    expect(res.status).toBe(200);
    const member = await person(branchB.id, { channels: ['inbox', 'webhook'], digest: false });
    await notify(escalation([member.id], { orgId: branchB.id }));

    const outcomes: DeliveryOutcome[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      outcomes.push(...(await sweep()).outcomes);
      t.clock.advance(retryBackoffMs(attempt));
    }
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'retry', 'dead']);
    expect(brokenRobot.posts).toHaveLength(5);
    t.clock.advance(86_400_000);
    expect((await sweep()).jobs).toEqual([]);
    expect(brokenRobot.posts).toHaveLength(5);

    const dead = await t
      .http()
      .get('/api/v1/admin/deliveries?state=dead')
      .auth(admin, { type: 'bearer' });
    expect(dead.status).toBe(200);
    const item = dead.body.items.find((d: { orgId: string }) => d.orgId === branchB.id);
    expect(item).toMatchObject({
      channel: 'webhook',
      state: 'dead',
      attempts: 5,
      kind: 'escalation',
      nextAttemptAt: null,
    });
    expect(item.log).toHaveLength(5);
    expect(item.log.every((a: { outcome: string; error: string }) => a.outcome === 'failed')).toBe(
      true,
    );
    expect(item.log[4].error).toMatch(/HTTP 500/);
    expect(item.lastError).toMatch(/HTTP 500/);
    const denied = await t
      .http()
      .get('/api/v1/admin/deliveries?state=dead')
      .auth(member.token, { type: 'bearer' });
    expect(denied.status).toBe(403);
  });

  it('gives up on a robot that never answers after the webhook timeout, and retries later', async () => {
    await t
      .http()
      .put(`/api/v1/orgs/${county.id}/webhook`)
      .auth(admin, { type: 'bearer' })
      .send({ url: silentRobotUrl, secret })
      .expect(200);
    const member = await person(county.id, { channels: ['inbox', 'webhook'], digest: false });
    await notify(escalation([member.id], { orgId: county.id }));
    const started = Date.now();
    const run = await sweep();
    expect(run.outcomes).toEqual(['retry']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(silentRobot.posts).toHaveLength(1);
    const rows: { last_error: string; attempts: number }[] = await t.db.query(
      `SELECT last_error, attempts FROM deliveries WHERE org_id = $1`,
      [county.id],
    );
    expect(rows).toEqual([{ last_error: 'webhook timed out after 2000 ms', attempts: 1 }]);
    // Out of the way of the tests that follow.
    await t.http().delete(`/api/v1/orgs/${county.id}/webhook`).auth(admin, { type: 'bearer' });
  });

  it('chases an unread notice that needs acknowledgement, at most three times, until it is read', async () => {
    const reader = await person(branchA.id);
    const forgetful = await person(branchA.id);
    const readIt = escalation([reader.id], { requiresAck: true });
    const ignoreIt = escalation([forgetful.id], { requiresAck: true });
    await notify(readIt);
    await notify(ignoreIt);
    await sweep();
    expect(smtp.to(reader.email)).toHaveLength(1);

    t.clock.advance(24 * 3600_000);
    await sweep();
    const chased = smtp.to(reader.email);
    expect(chased).toHaveLength(2);
    expect(chased[1].subject).toBe(
      '【再次提醒】【督办】第一支部：“落实党员教育管理制度”逾期未完成',
    );
    expect(chased[1].text).toContain('第1次提醒');
    expect(chased[1].messageId).not.toBe(chased[0].messageId);

    const inbox = await t
      .http()
      .get('/api/v1/notifications')
      .auth(reader.token, { type: 'bearer' });
    const notice = inbox.body.items[0];
    expect(notice).toMatchObject({ requiresAck: true, chaseCount: 1 });
    const read = await t
      .http()
      .post(`/api/v1/notifications/${notice.id}/read`)
      .auth(reader.token, { type: 'bearer' });
    expect(read.status).toBe(200);

    for (let day = 0; day < 4; day++) {
      t.clock.advance(24 * 3600_000);
      await sweep();
    }
    expect(smtp.to(reader.email)).toHaveLength(2);
    // Never read: the notice itself and three chases, then silence.
    expect(smtp.to(forgetful.email)).toHaveLength(4);
    const rows: { chase_count: number; next_chase_at: Date | null }[] = await t.db.query(
      'SELECT chase_count, next_chase_at FROM notifications WHERE user_id = $1 AND dedupe_key = $2',
      [forgetful.id, ignoreIt.dedupeKey],
    );
    expect(rows).toEqual([{ chase_count: 3, next_chase_at: null }]);
  });

  it('fans one notice each out to 2,000 people in one call, set-based', async () => {
    const inserted: { id: string }[] = await t.db.query(
      `INSERT INTO users (id, username, display_name, password_hash, email, created_at)
       SELECT gen_random_uuid(), 'bulk' || g, '党员' || g, 'x',
              CASE WHEN g % 2 = 0 THEN 'bulk' || g || '@example.org' END, now()
         FROM generate_series(1, 2000) AS g
       RETURNING id`,
    );
    const userIds = inserted.map((u) => u.id);
    const inputs: NotificationInput[] = userIds.map((id) => ({
      userIds: [id],
      kind: 'quarterly_report_due',
      dedupeKey: `quarter:2026Q4:report-due:${id}`,
      params: {
        quarter: '2026Q4',
        tasks: [
          { id: randomUUID(), measure: '完善党员教育管理台账', dueAt: '2026-12-31T15:59:59.999Z' },
          { id: randomUUID(), measure: '坚持“三会一课”制度', dueAt: null },
        ],
      },
    }));

    const service = t.app.get(NotificationsService);
    const started = Date.now();
    const notified = await t.db.transaction((m) => service.notifyMany(m, inputs, t.clock.now()));
    const elapsed = Date.now() - started;
    console.log(`notifyMany: 2,000 recipients in ${elapsed} ms`);

    expect(notified).toEqual(userIds.map((id) => [id]));
    const count = async (sql: string) =>
      Number(((await t.db.query(sql, [userIds])) as { n: string }[])[0].n);
    expect(await count('SELECT count(*) AS n FROM notifications WHERE user_id = ANY ($1)')).toBe(
      2000,
    );
    // Those with an address (every second one) get one e-mail each.
    expect(await count('SELECT count(*) AS n FROM deliveries WHERE user_id = ANY ($1)')).toBe(1000);

    // Asked again (a retried fan-out): nobody is notified twice.
    const again = await t.db.transaction((m) => service.notifyMany(m, inputs, t.clock.now()));
    expect(again.every((n) => n.length === 0)).toBe(true);
    expect(await count('SELECT count(*) AS n FROM notifications WHERE user_id = ANY ($1)')).toBe(
      2000,
    );
  });
});
