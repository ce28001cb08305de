import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEventInput, AuditLog } from '#duban/audit';
import { type Actor, DomainError, type OrgRef } from '#duban/domain';
import type { NotificationsService } from '#duban/notifications';
import { idsToPath } from '#duban/persistence';
import { AccountabilityService } from './accountability.service';
import type { CaseRow, CasesRepository } from './cases.repository';

/**
 * AccountabilityService's orchestration of a decision (问责决定), with an in-memory fake of
 * CasesRepository: who may decide is the domain's rule, "once" is the repository's guarded
 * UPDATE (tested against PostgreSQL in one-writer-sql), the record and the notices are this.
 */

const NOW = new Date('2026-11-20T02:00:00.000Z');
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const county: OrgRef = { id: id(1), path: [id(1)] };
const branch: OrgRef = { id: id(2), path: [id(1), id(2)] };
const CASE = id(100);
const responsible = id(10);
const discipline: Actor = {
  userId: id(11),
  systemAdmin: false,
  grants: [{ org: county, role: 'discipline' }],
};
const branchSecretary: Actor = {
  userId: id(12),
  systemAdmin: false,
  grants: [{ org: branch, role: 'secretary' }],
};

function caseRow(over: Partial<CaseRow> = {}): CaseRow {
  return {
    id: CASE,
    task_id: id(50),
    measure: '补开支委会',
    problem_id: id(40),
    problem_title: '三会一课不规范',
    raising_org_id: county.id,
    raising_org_path: idsToPath(county.path),
    subject_org_id: branch.id,
    subject_org_path: idsToPath(branch.path),
    subject_org_name: '第一支部',
    subject_user_ids: [responsible],
    opened_at: NOW,
    state: 'open',
    outcome: null,
    reason: null,
    decided_by: null,
    decided_at: null,
    ...over,
  };
}

function setUp(row: CaseRow, decidedAlready = false) {
  const manager = {} as EntityManager;
  const decisions: unknown[] = [];
  const audit: AuditEventInput[] = [];
  const notices: { kind: string; userIds?: string[] }[] = [];
  const cases = {
    findInScope: async () => row,
    escalationsOf: async () => [],
    decide: async (_m: EntityManager, _id: string, d: unknown) => {
      decisions.push(d);
      return !decidedAlready;
    },
  };
  const service = new AccountabilityService(
    {
      manager,
      transaction: async <T>(fn: (m: EntityManager) => Promise<T>) => fn(manager),
    } as unknown as DataSource,
    { now: () => NOW },
    {
      append: async (_m: EntityManager, e: readonly AuditEventInput[]) => {
        audit.push(...e);
      },
    } as unknown as AuditLog,
    {
      notify: async (_m: EntityManager, n: { kind: string; userIds: string[] }) => {
        notices.push(n);
      },
      postOrgEvent: async (_m: EntityManager, n: { kind: string }) => {
        notices.push(n);
      },
    } as unknown as NotificationsService,
    cases as unknown as CasesRepository,
  );
  return { service, decisions, audit, notices };
}

describe('AccountabilityService.decide', () => {
  it('decides once with the trimmed reason, records it and tells the subjects and the org', async () => {
    const { service, decisions, audit, notices } = setUp(caseRow());
    await service.decide(discipline, CASE, { outcome: 'admonishment', reason: '  未按期整改 ' });
    expect(decisions).toEqual([
      { outcome: 'admonishment', reason: '未按期整改', by: discipline.userId, at: NOW },
    ]);
    expect(audit).toEqual([
      expect.objectContaining({
        streamType: 'accountability_case',
        streamId: CASE,
        type: 'decided',
        fromState: 'open',
        toState: 'decided',
        data: { outcome: 'admonishment', reason: '未按期整改' },
      }),
    ]);
    expect(notices.map((n) => n.kind)).toEqual(['case_decided', 'accountability_decided']);
    expect(notices[0].userIds).toEqual([responsible]);
  });

  it('a case decided meanwhile is a conflict, and nothing is recorded', async () => {
    const { service, audit, notices } = setUp(caseRow(), true);
    const e = await service
      .decide(discipline, CASE, { outcome: 'exempted', reason: '容错' })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).kind).toBe('conflict');
    expect(audit).toEqual([]);
    expect(notices).toEqual([]);
  });

  it('the subject org’s own secretary may not decide: refused before any write', async () => {
    const { service, decisions } = setUp(caseRow());
    const e = await service
      .decide(branchSecretary, CASE, { outcome: 'exempted', reason: '容错' })
      .catch((err: unknown) => err);
    expect((e as DomainError).kind).toBe('forbidden');
    expect(decisions).toEqual([]);
  });

  it('a written reason is required', async () => {
    const { service, decisions } = setUp(caseRow());
    const e = await service
      .decide(discipline, CASE, { outcome: 'exempted', reason: '   ' })
      .catch((err: unknown) => err);
    expect((e as DomainError).field).toBe('reason');
    expect(decisions).toEqual([]);
  });
});
