import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { loadConfig } from '#duban/config';
import { EmailChannel, type EmailMessage } from './channels/email.channel';
import {
  PermanentDeliveryError,
  WebhookChannel,
  type WebhookMessage,
} from './channels/webhook.channel';
import type {
  DeliveriesRepository,
  DeliveryOutcomeRecord,
  DeliveryState,
  TakenDelivery,
} from './deliveries.repository';
import { DeliveryProcessor } from './delivery.processor';
import type { NoticeForMail, NotificationsRepository } from './notifications.repository';
import type { OrgWebhooksRepository, OrgWebhookTarget } from './org-webhooks.repository';
import type { RecipientProfile } from './recipient-profile';
import type { RecipientsRepository } from './recipients.repository';

/**
 * The processor's orchestration with in-memory repositories: what it takes, sends and records,
 * and that the outcome is written in one transaction. The SQL itself is tested against
 * PostgreSQL in test/e2e/notifications-delivery.
 */

const T0 = new Date('2026-12-01T02:00:00Z');
const PLAIN = {} as EntityManager; // outside a transaction
const TX = {} as EntityManager; // inside db.transaction

interface Row extends TakenDelivery {
  state: DeliveryState;
  nextAttemptAt: Date;
  token: string | null;
  claimedUntil: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  digestId: string | null;
}

class FakeDeliveries implements Pick<
  DeliveriesRepository,
  | 'take'
  | 'digestItems'
  | 'cancel'
  | 'cancelDigestItems'
  | 'recordOutcome'
  | 'insertAttempt'
  | 'settleDigestItems'
> {
  readonly rows = new Map<string, Row>();
  readonly attempts: {
    deliveryId: string;
    attempt: number;
    outcome: string;
    error: string | null;
  }[] = [];
  /** Which manager each write went through. */
  readonly writes: { op: string; m: EntityManager }[] = [];

  constructor(private readonly notices: FakeNotifications) {}

  add(d: Partial<Row> & { id: string; channel: 'email' | 'webhook' }): Row {
    const row: Row = {
      notificationId: null,
      userId: null,
      orgId: null,
      payload: null,
      isDigest: false,
      chase: 0,
      attempts: 0,
      state: 'pending',
      nextAttemptAt: T0,
      token: null,
      claimedUntil: null,
      lastError: null,
      sentAt: null,
      digestId: null,
      ...d,
    };
    this.rows.set(row.id, row);
    return row;
  }

  take(m: EntityManager, id: string, token: string, leaseEnd: Date, now: Date) {
    this.writes.push({ op: 'take', m });
    const r = this.rows.get(id);
    const free = !r?.token || !r.claimedUntil || r.claimedUntil <= now;
    if (!r || r.state !== 'pending' || r.nextAttemptAt > now || !free) {
      return Promise.resolve(null);
    }
    r.token = token;
    r.claimedUntil = leaseEnd;
    return Promise.resolve({ ...r });
  }

  digestItems(_m: EntityManager, digestId: string) {
    const items = [...this.rows.values()]
      .filter((r) => r.digestId === digestId)
      .map((r) => this.notices.rows.get(r.notificationId ?? '')!)
      .map((n) => ({ title: n.title, body: n.body, createdAt: T0 }));
    return Promise.resolve(items);
  }

  cancel(m: EntityManager, id: string, token: string, reason: string) {
    this.writes.push({ op: 'cancel', m });
    const r = this.rows.get(id)!;
    if (r.token === token) Object.assign(r, { state: 'cancelled', lastError: reason, token: null });
    return Promise.resolve();
  }

  cancelDigestItems(m: EntityManager, digestId: string) {
    this.writes.push({ op: 'cancelDigestItems', m });
    for (const r of this.rows.values()) if (r.digestId === digestId) r.state = 'cancelled';
    return Promise.resolve();
  }

  recordOutcome(m: EntityManager, id: string, token: string, o: DeliveryOutcomeRecord) {
    this.writes.push({ op: 'recordOutcome', m });
    const r = this.rows.get(id)!;
    if (r.token !== token || r.state !== 'pending') return Promise.resolve(false);
    Object.assign(r, {
      state: o.state,
      attempts: o.attempt,
      lastError: o.error,
      nextAttemptAt: o.nextAttemptAt ?? r.nextAttemptAt,
      sentAt: o.state === 'sent' ? o.at : null,
      token: null,
      claimedUntil: null,
    });
    return Promise.resolve(true);
  }

  insertAttempt(
    m: EntityManager,
    deliveryId: string,
    a: { attempt: number; outcome: 'sent' | 'failed'; error: string | null },
  ) {
    this.writes.push({ op: 'insertAttempt', m });
    this.attempts.push({ deliveryId, attempt: a.attempt, outcome: a.outcome, error: a.error });
    return Promise.resolve();
  }

  settleDigestItems(m: EntityManager, digestId: string, state: 'sent' | 'dead') {
    this.writes.push({ op: 'settleDigestItems', m });
    for (const r of this.rows.values()) if (r.digestId === digestId) r.state = state;
    return Promise.resolve();
  }
}

class FakeNotifications implements Pick<NotificationsRepository, 'forMail'> {
  readonly rows = new Map<string, NoticeForMail>();
  forMail(_m: EntityManager, id: string | null) {
    return Promise.resolve(this.rows.get(id ?? '') ?? null);
  }
}

class FakeRecipients implements Pick<RecipientsRepository, 'profile'> {
  readonly rows = new Map<string, RecipientProfile>();
  profile(_m: EntityManager, userId: string) {
    const profile = this.rows.get(userId);
    return Promise.resolve(profile ? { profile, ownTimeZone: null } : null);
  }
}

class FakeOrgWebhooks implements Pick<OrgWebhooksRepository, 'target'> {
  readonly rows = new Map<string, OrgWebhookTarget>();
  target(_m: EntityManager, orgId: string | null) {
    return Promise.resolve(this.rows.get(orgId ?? '') ?? null);
  }
}

const config = loadConfig({
  DUBAN_JWT_SECRET: 'x'.repeat(32),
  SMTP_URL: 'smtp://127.0.0.1:2525',
  SMTP_FROM: 'duban@example.org',
});

class FakeEmail extends EmailChannel {
  readonly sent: EmailMessage[] = [];
  failWith: Error | null = null;
  override send(message: EmailMessage): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.sent.push(message);
    return Promise.resolve();
  }
}

class FakeWebhook extends WebhookChannel {
  readonly sent: WebhookMessage[] = [];
  override send(message: WebhookMessage): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }
}

function setUp() {
  const notices = new FakeNotifications();
  const deliveries = new FakeDeliveries(notices);
  const recipients = new FakeRecipients();
  const webhooks = new FakeOrgWebhooks();
  const email = new FakeEmail(config);
  const webhook = new FakeWebhook(config);
  const db = {
    manager: PLAIN,
    transaction: <T>(work: (m: EntityManager) => Promise<T>) => work(TX),
  } as unknown as DataSource;
  const processor = new DeliveryProcessor(
    db,
    { now: () => T0 },
    config,
    email,
    webhook,
    deliveries as unknown as DeliveriesRepository,
    notices as unknown as NotificationsRepository,
    recipients as unknown as RecipientsRepository,
    webhooks as unknown as OrgWebhooksRepository,
  );
  recipients.rows.set('u1', {
    userId: 'u1',
    email: 'zhang@example.org',
    displayName: '张三',
    channels: ['inbox', 'email'],
    digest: false,
    digestTime: null,
    quietHours: null,
    timeZone: 'Asia/Shanghai',
  });
  notices.rows.set('n1', { title: '整改提醒', body: '请按期完成。', readAt: null, viaName: null });
  return { processor, deliveries, notices, recipients, webhooks, email, webhook };
}

describe('DeliveryProcessor', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('does nothing for a delivery it cannot take (not due, sent already, or held by another run)', async () => {
    const { processor, deliveries, email } = setUp();
    deliveries.add({
      id: 'later',
      channel: 'email',
      userId: 'u1',
      notificationId: 'n1',
      nextAttemptAt: new Date(T0.getTime() + 1),
    });
    deliveries.add({
      id: 'done',
      channel: 'email',
      userId: 'u1',
      notificationId: 'n1',
      state: 'sent',
    });
    deliveries.add({
      id: 'held',
      channel: 'email',
      userId: 'u1',
      notificationId: 'n1',
      token: 'other',
      claimedUntil: new Date(T0.getTime() + 60_000),
    });

    for (const id of ['later', 'done', 'held', 'missing']) {
      expect(await processor.deliver(id)).toBe('skipped');
    }
    expect(email.sent).toEqual([]);
    expect(deliveries.attempts).toEqual([]);
  });

  it('sends the e-mail with a stable Message-ID, then records it sent and logs the attempt in one transaction', async () => {
    const { processor, deliveries, email } = setUp();
    deliveries.add({ id: 'd1', channel: 'email', userId: 'u1', notificationId: 'n1' });

    expect(await processor.deliver('d1')).toBe('sent');

    expect(email.sent).toEqual([
      {
        to: 'zhang@example.org',
        subject: '整改提醒',
        text: '张三同志：\n\n请按期完成。\n\n—— 督办系统（本邮件由系统自动发送，请勿直接回复）\n',
        messageId: '<d1@example.org>',
        deliveryId: 'd1',
      },
    ]);
    expect(deliveries.rows.get('d1')).toMatchObject({
      state: 'sent',
      attempts: 1,
      sentAt: T0,
      token: null,
    });
    expect(deliveries.attempts).toEqual([
      { deliveryId: 'd1', attempt: 1, outcome: 'sent', error: null },
    ]);
    expect(deliveries.writes).toEqual([
      { op: 'take', m: PLAIN },
      { op: 'recordOutcome', m: TX },
      { op: 'insertAttempt', m: TX },
    ]);
  });

  it('keeps a failed delivery pending for a retry after the backoff, and logs the error', async () => {
    const { processor, deliveries, email } = setUp();
    deliveries.add({ id: 'd1', channel: 'email', userId: 'u1', notificationId: 'n1' });
    email.failWith = new Error('connection refused');

    expect(await processor.deliver('d1')).toBe('retry');

    expect(deliveries.rows.get('d1')).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'connection refused',
      nextAttemptAt: new Date(T0.getTime() + 30_000),
      token: null,
    });
    expect(deliveries.attempts).toEqual([
      { deliveryId: 'd1', attempt: 1, outcome: 'failed', error: 'connection refused' },
    ]);
  });

  it('dead-letters a delivery at its fifth failure, and at once on a permanent one', async () => {
    const { processor, deliveries, recipients, email } = setUp();
    deliveries.add({
      id: 'tired',
      channel: 'email',
      userId: 'u1',
      notificationId: 'n1',
      attempts: 4,
    });
    email.failWith = new Error('timeout');
    expect(await processor.deliver('tired')).toBe('dead');
    expect(deliveries.rows.get('tired')).toMatchObject({ state: 'dead', attempts: 5 });

    recipients.rows.set('u2', { ...recipients.rows.get('u1')!, userId: 'u2', email: null });
    deliveries.add({ id: 'nomail', channel: 'email', userId: 'u2', notificationId: 'n1' });
    email.failWith = null;
    expect(await processor.deliver('nomail')).toBe('dead');
    expect(deliveries.rows.get('nomail')).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastError: 'the recipient has no e-mail address',
    });
    expect(email.sent).toEqual([]);
  });

  it('cancels a chase whose notice was read meanwhile, sending nothing', async () => {
    const { processor, deliveries, notices, email } = setUp();
    notices.rows.set('n1', { ...notices.rows.get('n1')!, readAt: T0 });
    deliveries.add({ id: 'c1', channel: 'email', userId: 'u1', notificationId: 'n1', chase: 1 });

    expect(await processor.deliver('c1')).toBe('cancelled');

    expect(email.sent).toEqual([]);
    expect(deliveries.rows.get('c1')).toMatchObject({
      state: 'cancelled',
      lastError: 'the notice was read before the chase went out',
    });
    expect(deliveries.attempts).toEqual([]);
    expect(deliveries.writes.slice(1).map((w) => w.m)).toEqual([TX, TX]);
  });

  it('marks an unread chase as a reminder, and a deputy copy with whom it is for', async () => {
    const { processor, deliveries, notices, email } = setUp();
    notices.rows.set('n2', { title: '督办通知', body: '请阅。', readAt: null, viaName: '李四' });
    deliveries.add({ id: 'c2', channel: 'email', userId: 'u1', notificationId: 'n2', chase: 2 });

    expect(await processor.deliver('c2')).toBe('sent');

    expect(email.sent[0].subject).toBe('【再次提醒】督办通知');
    expect(email.sent[0].text).toBe(
      '张三同志：\n\n此通知需要您阅知确认，目前尚未确认（第2次提醒）。\n\n请阅。\n\n' +
        '（李四请假期间委托您代为接收此通知。）\n\n—— 督办系统（本邮件由系统自动发送，请勿直接回复）\n',
    );
  });

  it('sends a digest of its items, which are sent with it; an empty digest is cancelled with its items', async () => {
    const { processor, deliveries, notices, email } = setUp();
    notices.rows.set('n2', { title: '第二条', body: '内容二', readAt: null, viaName: null });
    deliveries.add({ id: 'g1', channel: 'email', userId: 'u1', isDigest: true });
    deliveries.add({
      id: 'i1',
      channel: 'email',
      userId: 'u1',
      notificationId: 'n1',
      digestId: 'g1',
      nextAttemptAt: new Date(T0.getTime() + 1),
    });
    deliveries.add({
      id: 'i2',
      channel: 'email',
      userId: 'u1',
      notificationId: 'n2',
      digestId: 'g1',
      nextAttemptAt: new Date(T0.getTime() + 1),
    });

    expect(await processor.deliver('g1')).toBe('sent');
    expect(email.sent).toHaveLength(1);
    expect(email.sent[0].text).toContain('整改提醒');
    expect(email.sent[0].text).toContain('第二条');
    expect(['i1', 'i2'].map((id) => deliveries.rows.get(id)!.state)).toEqual(['sent', 'sent']);

    deliveries.add({ id: 'g2', channel: 'email', userId: 'u1', isDigest: true });
    expect(await processor.deliver('g2')).toBe('cancelled');
    expect(deliveries.rows.get('g2')).toMatchObject({
      state: 'cancelled',
      lastError: 'the digest has no items',
    });
    expect(email.sent).toHaveLength(1);
  });

  it('records nothing when its lease was lost to another run before the outcome', async () => {
    const { processor, deliveries, email } = setUp();
    const row = deliveries.add({ id: 'd1', channel: 'email', userId: 'u1', notificationId: 'n1' });
    // The sweep re-claims it while the send is under way (the lease ran out).
    email.send = (message: EmailMessage) => {
      email.sent.push(message);
      row.token = 'another run';
      return Promise.resolve();
    };

    expect(await processor.deliver('d1')).toBe('skipped');
    expect(email.sent).toHaveLength(1);
    expect(deliveries.attempts).toEqual([]);
    expect(row).toMatchObject({ state: 'pending', attempts: 0, token: 'another run' });
  });

  it("posts to the org's robot with the delivery id, and dead-letters a post whose robot was removed", async () => {
    const { processor, deliveries, webhooks, webhook } = setUp();
    webhooks.rows.set('o1', {
      url: 'https://robot.example.org/hook',
      secret: 's'.repeat(16),
      format: 'duban',
    });
    const payload = { msgtype: 'text', text: { content: '升级' } };
    deliveries.add({ id: 'w1', channel: 'webhook', orgId: 'o1', payload });
    deliveries.add({ id: 'w2', channel: 'webhook', orgId: 'gone', payload });

    expect(await processor.deliver('w1')).toBe('sent');
    expect(webhook.sent).toEqual([
      {
        url: 'https://robot.example.org/hook',
        secret: 's'.repeat(16),
        format: 'duban',
        payload,
        nowMs: T0.getTime(),
        deliveryId: 'w1',
      },
    ]);

    expect(await processor.deliver('w2')).toBe('dead');
    expect(deliveries.rows.get('w2')).toMatchObject({
      state: 'dead',
      lastError: 'the organisation no longer has a webhook configured',
    });
    expect(webhook.sent).toHaveLength(1);
  });

  it('treats a PermanentDeliveryError from the channel as final', async () => {
    const { processor, deliveries, email } = setUp();
    deliveries.add({ id: 'd1', channel: 'email', userId: 'u1', notificationId: 'n1' });
    email.failWith = new PermanentDeliveryError('mailbox does not exist');

    expect(await processor.deliver('d1')).toBe('dead');
    expect(deliveries.attempts).toEqual([
      { deliveryId: 'd1', attempt: 1, outcome: 'failed', error: 'mailbox does not exist' },
    ]);
  });
});
