import { createHmac } from 'node:crypto';
import { DeliveryDueSource, DeliveryProcessor } from '#duban/notifications';
import { ApiClient } from '../support/api-client';
import { EngineDriver } from '../support/engine-driver';
import { createNamedPerson, type NamedPerson } from '../support/named-person';
import { TestWebhookReceiver } from '../support/notification-servers';
import { startTestApp, TestApp } from '../support/test-app';

const HOUR = 3600_000;
const POLICY = {
  remindBefore: ['PT2H'],
  steps: [
    { level: 1, name: '催办', after: 'PT0S', notify: ['responsible', 'leader'] },
    { level: 2, name: '督办', after: 'PT1H', notify: ['secretary', 'superior'] },
  ],
};

/**
 * 某某县委 has a DingTalk robot (加签), 第一支部 a WeCom robot. Nobody chose the webhook
 * channel. An escalation of a 第一支部 measure reaches both robots, in their formats.
 */
describe('org robots: org-level events in the subtree, DingTalk and WeCom formats', () => {
  const dingtalk = new TestWebhookReceiver(() => 200);
  const wecom = new TestWebhookReceiver(() => 200);
  const dingSecret = 'SEC'.padEnd(67, 'd');
  let t: TestApp;
  let county: { id: string };
  let branch: { id: string };
  let secretary: NamedPerson;
  let supervisor: NamedPerson;
  let zhang: NamedPerson;

  const as = (p: NamedPerson) => ({
    get: (url: string) => t.http().get(url).auth(p.token, { type: 'bearer' }),
    post: (url: string, body: object = {}) =>
      t.http().post(url).auth(p.token, { type: 'bearer' }).send(body),
    put: (url: string, body: object = {}) =>
      t.http().put(url).auth(p.token, { type: 'bearer' }).send(body),
  });

  async function deliverAll(): Promise<void> {
    const jobs = await t.app.get(DeliveryDueSource).claim(t.clock.now(), 100);
    for (const job of jobs) {
      await t.app.get(DeliveryProcessor).deliver(job.data.deliveryId as string);
    }
  }

  beforeAll(async () => {
    const dingUrl = await dingtalk.start();
    const wecomUrl = await wecom.start();
    t = await startTestApp({ DUBAN_WEBHOOK_TIMEOUT_MS: '5000' });
    const api = new ApiClient(t);
    const admin = await api.adminToken();
    county = await api.createOrg(admin, { name: '某某县委', kind: 'committee' });
    branch = await api.createOrg(admin, { name: '第一支部', kind: 'branch', parentId: county.id });
    const named = (roles: { orgId: string; role: string }[], username: string, name: string) =>
      createNamedPerson(t, admin, roles, username, name);
    secretary = await named([{ orgId: county.id, role: 'secretary' }], 'robot-sec', '县委书记');
    supervisor = await named([{ orgId: county.id, role: 'supervisor' }], 'robot-sup', '督查员');
    zhang = await named([{ orgId: branch.id, role: 'member' }], 'robot-zhang', '张三');
    await as(secretary).put(`/api/v1/orgs/${county.id}/escalation-policy`, POLICY).expect(200);

    const ding = await as(secretary).put(`/api/v1/orgs/${county.id}/webhook`, {
      url: `${dingUrl}/robot/send?access_token=abc`,
      secret: dingSecret,
      format: 'dingtalk',
    });
    expect(ding.status).toBe(200);
    expect(ding.body).toMatchObject({ format: 'dingtalk', hasSecret: true });
    const wc = await as(secretary).put(`/api/v1/orgs/${branch.id}/webhook`, {
      url: `${wecomUrl}/cgi-bin/webhook/send?key=wecom-key`,
      format: 'wecom',
    });
    expect(wc.status).toBe(200);
    expect(wc.body).toMatchObject({ format: 'wecom', hasSecret: false });
    // Any other format needs a secret.
    const bad = await as(secretary).put(`/api/v1/orgs/${branch.id}/webhook`, {
      url: `${wecomUrl}/x`,
      format: 'dingtalk',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
  });
  afterAll(async () => {
    await t.close();
    await dingtalk.close();
    await wecom.close();
  });

  it('posts an escalation step to the robots of the org and above, nobody opted in', async () => {
    const res = await as(supervisor).post('/api/v1/problems', {
      title: '第一支部“三会一课”不规范',
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
          dueAt: new Date(t.clock.now().getTime() + HOUR).toISOString(),
        },
      ],
    });
    expect(res.status).toBe(201);
    const engine = new EngineDriver(t);
    await engine.sweep();
    t.clock.advance(2.5 * HOUR);
    await engine.sweep();
    await deliverAll();

    // DingTalk: markdown, timestamp (ms) and sign in the query as DingTalk documents it.
    const dingPosts = dingtalk.posts.filter((p) => JSON.parse(p.body).markdown?.title);
    expect(dingPosts.length).toBeGreaterThanOrEqual(2); // 催办 and 督办
    for (const post of dingPosts) {
      const u = new URL(post.path, 'http://x');
      expect(u.pathname).toBe('/robot/send');
      expect(u.searchParams.get('access_token')).toBe('abc');
      const timestamp = u.searchParams.get('timestamp')!;
      expect(timestamp).toBe(String(t.clock.now().getTime()));
      const sign = createHmac('sha256', dingSecret)
        .update(`${timestamp}\n${dingSecret}`)
        .digest('base64');
      expect(u.searchParams.get('sign')).toBe(sign);
      expect(JSON.parse(post.body)).toMatchObject({ msgtype: 'markdown' });
    }
    const titles = dingPosts.map((p) => JSON.parse(p.body).markdown.title as string);
    expect(titles.some((x) => x.includes('督办'))).toBe(true);
    expect(JSON.parse(dingPosts[0].body).markdown.text).toMatch(/^### /);

    // WeCom: markdown content to the key URL, no signature needed.
    const wecomPosts = wecom.posts.map((p) => ({ ...p, json: JSON.parse(p.body) }));
    // The branch robot hears the escalations of its measure (the case opened by the last step
    // belongs to the raising org, 某某县委: only robots at or above it hear of that).
    const escalationTitles = (titles: (string | undefined)[]) =>
      titles.filter((x) => /【(催办|督办)】/.test(x ?? '')).length;
    expect(wecomPosts.length).toBe(escalationTitles(titles));
    expect(escalationTitles(titles)).toBe(2);
    for (const post of wecomPosts) {
      expect(post.path).toBe('/cgi-bin/webhook/send?key=wecom-key');
      expect(post.json).toMatchObject({ msgtype: 'markdown' });
      expect(post.json.markdown.content).toContain('补齐会议记录');
    }
    const rows = await t.db.query(
      `SELECT count(*)::int AS n FROM notification_settings WHERE 'webhook' = ANY(channels)`,
    );
    expect(rows[0].n).toBe(0);

    // Another sweep posts nothing twice.
    const before = dingtalk.posts.length + wecom.posts.length;
    await engine.sweep();
    await deliverAll();
    expect(dingtalk.posts.length + wecom.posts.length).toBe(before);
  });

  it('posts accountability cases opened and decided to the robots above the subject org', async () => {
    const titleOf = (body: string) => JSON.parse(body).markdown?.title as string | undefined;
    // The last step of the ladder (督办 here) opened a case in the first test's sweep.
    expect(dingtalk.posts.map((p) => titleOf(p.body)).some((x) => x?.includes('问责'))).toBe(true);
    const cases = await as(secretary).get(`/api/v1/accountability-cases?orgId=${county.id}`);
    expect(cases.status).toBe(200);
    const open = (cases.body.items ?? cases.body).find(
      (c: { state: string }) => c.state === 'open',
    );
    expect(open).toBeDefined();
    const decided = await as(secretary).post(`/api/v1/accountability-cases/${open.id}/decision`, {
      outcome: 'inspection',
      reason: '责令作出书面检查',
    });
    expect(decided.status).toBe(201);
    await deliverAll();
    for (const robot of [dingtalk, wecom]) {
      const decisions = robot.posts.filter((p) => p.body.includes('【问责决定】'));
      expect(decisions).toHaveLength(1);
    }
  });
});
