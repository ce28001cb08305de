import type { EntityManager } from 'typeorm';
import { loadConfig } from '#duban/config';
import { EmailChannel } from './channels/email.channel';
import type { DeliveriesRepository, PlannedEmail, PlannedWebhook } from './deliveries.repository';
import { DeliveryPlanner, type EmailNotice } from './delivery-planner';
import type { RecipientProfile } from './recipient-profile';

/**
 * The planner's decisions with an in-memory deliveries repository: which e-mails a batch of
 * notices (or chases) makes and when each may go out, written in one call in the caller's
 * transaction. The INSERTs themselves are tested against PostgreSQL in test/e2e.
 */

const TX = {} as EntityManager;
// 10:00 in Shanghai.
const NOW = new Date('2026-12-01T02:00:00Z');

class FakeDeliveries implements Pick<
  DeliveriesRepository,
  'insertEmails' | 'insertWebhooks' | 'insertSubtreeWebhooks'
> {
  readonly calls: { op: string; m: EntityManager; planned: readonly unknown[]; now: Date }[] = [];
  insertEmails(m: EntityManager, planned: readonly PlannedEmail[], now: Date) {
    this.calls.push({ op: 'emails', m, planned, now });
    return Promise.resolve();
  }
  insertWebhooks(m: EntityManager, planned: readonly PlannedWebhook[], now: Date) {
    this.calls.push({ op: 'webhooks', m, planned, now });
    return Promise.resolve();
  }
  insertSubtreeWebhooks(m: EntityManager, planned: readonly PlannedWebhook[], now: Date) {
    this.calls.push({ op: 'subtree', m, planned, now });
    return Promise.resolve();
  }
}

const env = { DUBAN_JWT_SECRET: 'x'.repeat(32) };

function planner(smtp: boolean) {
  const config = loadConfig(smtp ? { ...env, SMTP_URL: 'smtp://127.0.0.1:2525' } : env);
  const deliveries = new FakeDeliveries();
  return {
    deliveries,
    planner: new DeliveryPlanner(
      config,
      new EmailChannel(config),
      deliveries as unknown as DeliveriesRepository,
    ),
  };
}

const person = (userId: string, over: Partial<RecipientProfile> = {}): RecipientProfile => ({
  userId,
  email: `${userId}@example.org`,
  displayName: userId,
  channels: ['inbox', 'email'],
  digest: false,
  digestTime: null,
  quietHours: null,
  timeZone: 'Asia/Shanghai',
  ...over,
});

const notice = (id: string, profile: RecipientProfile, over: Partial<EmailNotice> = {}) => ({
  notificationId: id,
  profile,
  urgent: false,
  chase: 0,
  ...over,
});

describe('DeliveryPlanner.addEmails', () => {
  it('writes every e-mail of the batch in one call, in the caller transaction', async () => {
    const { planner: p, deliveries } = planner(true);
    await p.addEmails(TX, [notice('n1', person('a')), notice('n2', person('b'))], NOW);

    expect(deliveries.calls).toHaveLength(1);
    expect(deliveries.calls[0]).toMatchObject({ op: 'emails', m: TX, now: NOW });
    expect(deliveries.calls[0].planned).toEqual([
      {
        dedupeKey: 'email:n1',
        notificationId: 'n1',
        userId: 'a',
        chase: 0,
        nextAttemptAt: NOW,
        digestDueAt: null,
      },
      {
        dedupeKey: 'email:n2',
        notificationId: 'n2',
        userId: 'b',
        chase: 0,
        nextAttemptAt: NOW,
        digestDueAt: null,
      },
    ]);
  });

  it('plans no e-mail without SMTP, without an address, or for someone who turned e-mail off', async () => {
    const off = planner(false);
    await off.planner.addEmails(TX, [notice('n1', person('a'))], NOW);
    expect(off.deliveries.calls[0].planned).toEqual([]);

    const on = planner(true);
    await on.planner.addEmails(
      TX,
      [
        notice('n1', person('a', { email: null })),
        notice('n2', person('b', { channels: ['inbox'] })),
        notice('n3', person('c')),
      ],
      NOW,
    );
    expect((on.deliveries.calls[0].planned as PlannedEmail[]).map((e) => e.userId)).toEqual(['c']);
  });

  it("holds a routine notice for the person's digest, at their own digest time", async () => {
    const { planner: p, deliveries } = planner(true);
    await p.addEmails(
      TX,
      [
        notice('n1', person('a', { digest: true })),
        notice('n2', person('b', { digest: true, digestTime: '18:30' })),
      ],
      NOW,
    );
    expect(deliveries.calls[0].planned).toMatchObject([
      // 08:00 in Shanghai has passed today: tomorrow's.
      { userId: 'a', nextAttemptAt: null, digestDueAt: new Date('2026-12-02T00:00:00Z') },
      { userId: 'b', nextAttemptAt: null, digestDueAt: new Date('2026-12-01T10:30:00Z') },
    ]);
  });

  it('never holds an urgent notice or a chase for the digest', async () => {
    const { planner: p, deliveries } = planner(true);
    const digester = person('a', { digest: true });
    await p.addEmails(
      TX,
      [notice('n1', digester, { urgent: true }), notice('n2', digester, { chase: 2 })],
      NOW,
    );
    expect(deliveries.calls[0].planned).toEqual([
      {
        dedupeKey: 'email:n1',
        notificationId: 'n1',
        userId: 'a',
        chase: 0,
        nextAttemptAt: NOW,
        digestDueAt: null,
      },
      {
        dedupeKey: 'email:n2:chase:2',
        notificationId: 'n2',
        userId: 'a',
        chase: 2,
        nextAttemptAt: NOW,
        digestDueAt: null,
      },
    ]);
  });

  it('waits out quiet hours for a routine e-mail, but not for an urgent one', async () => {
    const { planner: p, deliveries } = planner(true);
    const resting = person('a', { quietHours: { start: '09:00', end: '12:00' } });
    await p.addEmails(TX, [notice('n1', resting), notice('n2', resting, { urgent: true })], NOW);
    expect(deliveries.calls[0].planned).toMatchObject([
      { notificationId: 'n1', nextAttemptAt: new Date('2026-12-01T04:00:00Z') },
      { notificationId: 'n2', nextAttemptAt: NOW },
    ]);
  });
});

describe('DeliveryPlanner webhooks', () => {
  it('writes opted-in posts and org-event posts through their own statements', async () => {
    const { planner: p, deliveries } = planner(true);
    const post = { dedupeKey: 'escalation:t1:1', orgId: 'o1', payload: { msgtype: 'text' } };
    await p.addWebhooks(TX, [post], NOW);
    await p.addOrgEventWebhooks(TX, [post], NOW);
    expect(deliveries.calls).toEqual([
      { op: 'webhooks', m: TX, planned: [post], now: NOW },
      { op: 'subtree', m: TX, planned: [post], now: NOW },
    ]);
  });
});
