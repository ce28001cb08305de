import type { DataSource, EntityManager } from 'typeorm';
import { loadConfig } from '#duban/config';
import type { DeliveriesRepository } from './deliveries.repository';
import { DeliveryDueSource } from './delivery-due.source';
import type { DeliveryPlanner, EmailNotice } from './delivery-planner';
import { MAX_CHASES } from './delivery-rules';
import { deliveryLeaseMs } from './notifications-queue';
import type { ChasedNotice, NotificationsRepository } from './notifications.repository';
import type { RecipientProfile } from './recipient-profile';

/**
 * The sweep's orchestration with in-memory repositories: chases, then digests, then claims,
 * all in the one transaction, and the job each claimed delivery becomes. The claiming SQL
 * (SKIP LOCKED, leases) is tested against PostgreSQL in test/e2e/notifications-delivery.
 */

const TX = {} as EntityManager;
const NOW = new Date('2026-12-01T02:00:00Z');
const config = loadConfig({ DUBAN_JWT_SECRET: 'x'.repeat(32), DUBAN_ACK_CHASE_HOURS: '24' });

const profile = (userId: string): RecipientProfile => ({
  userId,
  email: `${userId}@example.org`,
  displayName: userId,
  channels: ['inbox', 'email'],
  digest: true,
  digestTime: null,
  quietHours: null,
  timeZone: 'Asia/Shanghai',
});

function setUp(
  chased: ChasedNotice[],
  digestUsers: string[],
  due: { id: string; attempts: number }[],
) {
  const steps: string[] = [];
  const managers = new Set<EntityManager>();
  const emails: EmailNotice[] = [];
  const notifications: Pick<NotificationsRepository, 'startChases'> = {
    startChases: (m, _now, limit, maxChases, next) => {
      managers.add(m);
      steps.push(`chases(${limit}, max ${maxChases}, next ${next.toISOString()})`);
      return Promise.resolve(chased);
    },
  };
  const deliveries: Pick<
    DeliveriesRepository,
    'lockDigestRecipients' | 'gatherDigests' | 'claimDue'
  > = {
    lockDigestRecipients: (m, _now, limit) => {
      managers.add(m);
      steps.push(`lock digests(${limit})`);
      return Promise.resolve(digestUsers);
    },
    gatherDigests: (m, userIds) => {
      managers.add(m);
      steps.push(`gather digests(${userIds.join(',')})`);
      return Promise.resolve();
    },
    claimDue: (m, _now, leaseEnd, limit) => {
      managers.add(m);
      steps.push(`claim(${limit}, until ${leaseEnd.toISOString()})`);
      return Promise.resolve(due);
    },
  };
  const planner: Pick<DeliveryPlanner, 'addEmails'> = {
    addEmails: (m, notices) => {
      managers.add(m);
      steps.push('plan chase e-mails');
      emails.push(...notices);
      return Promise.resolve();
    },
  };
  let transactions = 0;
  const db = {
    transaction: <T>(work: (m: EntityManager) => Promise<T>) => {
      transactions++;
      return work(TX);
    },
  } as unknown as DataSource;
  const source = new DeliveryDueSource(
    db,
    config,
    planner as DeliveryPlanner,
    notifications as NotificationsRepository,
    deliveries as DeliveriesRepository,
  );
  return { source, steps, emails, managers, transactions: () => transactions };
}

describe('DeliveryDueSource.claim', () => {
  it('starts chases, then digests, then claims due deliveries, in one transaction', async () => {
    const { source, steps, managers, transactions } = setUp(
      [],
      ['u1', 'u2'],
      [{ id: 'd1', attempts: 0 }],
    );
    await source.claim(NOW, 100);

    const leaseEnd = new Date(NOW.getTime() + deliveryLeaseMs(config));
    expect(steps).toEqual([
      `chases(100, max ${MAX_CHASES}, next 2026-12-02T02:00:00.000Z)`,
      'plan chase e-mails',
      'lock digests(100)',
      'gather digests(u1,u2)',
      `claim(100, until ${leaseEnd.toISOString()})`,
    ]);
    expect(transactions()).toBe(1);
    expect([...managers]).toEqual([TX]);
  });

  it('plans each chase as an e-mail numbered by its chase count', async () => {
    const { source, emails } = setUp(
      [
        { id: 'n1', userId: 'u1', urgent: false, chaseCount: 1, profile: profile('u1') },
        { id: 'n2', userId: 'u2', urgent: true, chaseCount: 3, profile: profile('u2') },
      ],
      [],
      [],
    );
    await source.claim(NOW, 10);
    expect(emails).toEqual([
      { notificationId: 'n1', profile: profile('u1'), urgent: false, chase: 1 },
      { notificationId: 'n2', profile: profile('u2'), urgent: true, chase: 3 },
    ]);
  });

  it('hands out one deliver job per claimed delivery, with an id new for each attempt and claim', async () => {
    const { source } = setUp(
      [],
      [],
      [
        { id: 'd1', attempts: 0 },
        { id: 'd2', attempts: 2 },
      ],
    );
    const lease = NOW.getTime() + deliveryLeaseMs(config);
    expect(await source.claim(NOW, 10)).toEqual([
      { name: 'deliver', jobId: `deliver:d1:0:g${lease}`, data: { deliveryId: 'd1' } },
      { name: 'deliver', jobId: `deliver:d2:2:g${lease}`, data: { deliveryId: 'd2' } },
    ]);
  });
});
