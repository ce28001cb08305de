import { ORGS, T0, newTask, later } from '../lifecycle/testing/org-fixtures';
import type { DomainEvent } from '../lifecycle/task';
import { type NoticeRoleHolder, taskJudges, workflowNotices } from './workflow-notices';

const holders: NoticeRoleHolder[] = [
  { userId: 'cmtSup', org: ORGS.cmt, role: 'supervisor' },
  { userId: 'cmtSup2', org: ORGS.cmt, role: 'supervisor' },
  { userId: 'cmtSec', org: ORGS.cmt, role: 'secretary' },
  { userId: 'cmtDep', org: ORGS.cmt, role: 'deputy' },
  { userId: 'provSup', org: ORGS.prov, role: 'supervisor' },
  { userId: 'provSec', org: ORGS.prov, role: 'secretary' },
  // Supervisor of the committee and secretary of the responsible branch: conflicted.
  { userId: 'dual', org: ORGS.cmt, role: 'supervisor' },
  { userId: 'dual', org: ORGS.br, role: 'secretary' },
];

const task = newTask({ leaderUserId: 'leader', actedBy: ['resp'], lastSubmittedBy: 'resp' });
const base = { taskId: task.id, at: T0 };

describe('workflowNotices', () => {
  it('tells the responsible person and the leader of an assignment, not the assigner', () => {
    const e: DomainEvent = {
      ...base,
      actorId: 'cmtSup',
      type: 'assigned',
      to: 'assigned',
      data: {
        raisingOrgId: 'cmt',
        responsibleOrgId: 'br',
        responsibleUserId: 'resp',
        leaderUserId: 'leader',
        dueAt: later(30),
        mode: 'deadline',
      },
    };
    expect(workflowNotices(e, task, holders)).toEqual([
      { kind: 'task_assigned', userIds: ['resp', 'leader'], detail: {} },
    ]);
    expect(workflowNotices({ ...e, actorId: 'leader' }, task, holders)[0].userIds).toEqual([
      'resp',
    ]);
  });

  it('tells the responsible person of a return, with the reason', () => {
    const e: DomainEvent = {
      ...base,
      actorId: 'cmtSup',
      type: 'verification_failed',
      from: 'submitted',
      to: 'in_progress',
      data: { comment: '台账缺少11月记录' },
    };
    expect(workflowNotices(e, task, holders)).toEqual([
      { kind: 'task_returned', userIds: ['resp'], detail: { reason: '台账缺少11月记录' } },
    ]);
  });

  it('tells the free supervisors of the raising org of a submission, never the conflicted', () => {
    const e: DomainEvent = {
      ...base,
      actorId: 'resp',
      type: 'submitted',
      from: 'in_progress',
      to: 'submitted',
      data: { summary: '已完成', attachmentIds: [] },
    };
    expect(workflowNotices(e, task, holders)).toEqual([
      { kind: 'task_submitted', userIds: ['cmtSup', 'cmtSup2'], detail: {} },
    ]);
  });

  it('goes one level up when nobody at the raising org is free to judge', () => {
    const onlyConflicted = holders.filter((h) => h.userId !== 'cmtSup' && h.userId !== 'cmtSup2');
    expect(taskJudges(task, onlyConflicted, ['supervisor'])).toEqual(['provSup']);
    expect(taskJudges(task, [], ['supervisor'])).toEqual([]);
  });

  it('tells those who may close of a verification, not the verifier', () => {
    const verified = { ...task, lastVerifiedBy: 'cmtDep' };
    const e: DomainEvent = {
      ...base,
      actorId: 'cmtDep',
      type: 'verification_passed',
      from: 'submitted',
      to: 'verified',
      data: { comment: null },
    };
    expect(workflowNotices(e, verified, holders)).toEqual([
      { kind: 'task_verified', userIds: ['cmtSec'], detail: {} },
    ]);
  });

  it('tells the approvers of an extension request, and the requester of the decision', () => {
    const requested: DomainEvent = {
      ...base,
      actorId: 'resp',
      type: 'extension_requested',
      data: {
        requestId: 'x1',
        reason: '材料需上级审批',
        progress: '已完成一半',
        currentDueAt: later(30),
        requestedDueAt: later(45),
      },
    };
    expect(workflowNotices(requested, task, holders)).toEqual([
      {
        kind: 'extension_requested',
        userIds: ['cmtDep', 'cmtSec'],
        detail: { reason: '材料需上级审批', newDueAt: later(45).toISOString() },
      },
    ]);
    const rejected: DomainEvent = {
      ...base,
      actorId: 'cmtSec',
      type: 'extension_rejected',
      data: {
        requestId: 'x1',
        requestedBy: 'resp',
        dueAt: later(30),
        requestedDueAt: later(45),
        comment: '理由不充分',
      },
    };
    expect(workflowNotices(rejected, task, holders)).toEqual([
      {
        kind: 'extension_decided',
        userIds: ['resp'],
        detail: { approved: false, comment: '理由不充分' },
      },
    ]);
  });

  it('says nothing of events that land work on nobody', () => {
    const e: DomainEvent = {
      ...base,
      actorId: 'resp',
      type: 'accepted',
      from: 'assigned',
      to: 'in_progress',
      data: { comment: null },
    };
    expect(workflowNotices(e, task, holders)).toEqual([]);
  });
});
