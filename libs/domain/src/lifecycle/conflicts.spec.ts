import { Actor, OrgRef, Role } from '../access/roles';
import {
  accept,
  availableActions,
  close,
  recordCheck,
  reportProgress,
  requestExtension,
  submit,
  verify,
  whyNot,
} from './commands';
import {
  CaseParties,
  caseConflict,
  caseDeciders,
  mayLeadTask,
  RoleHolder,
  taskConflict,
  whyNotDecideCase,
} from './conflicts';
import { TaskSnapshot, TransitionResult } from './task';
import { deepFreeze, later, newTask, ORGS, USERS } from './testing/org-fixtures';

const { resp, brSec, gbSec, cmtSec, cmtDep, cmtSup, cmtDiscipline, provSec } = USERS;
const now = later(1);

const actor = (userId: string, ...grants: [OrgRef, Role][]): Actor => ({
  userId,
  systemAdmin: false,
  grants: grants.map(([org, role]) => ({ org, role })),
});

function ok(result: TransitionResult): TaskSnapshot {
  if (!result.ok) throw new Error(`unexpected refusal (${result.code}): ${result.reason}`);
  return result.task;
}

function conflicted(result: TransitionResult, reason: RegExp): void {
  expect(result).toMatchObject({ ok: false, code: 'forbidden', errorCode: 'conflict_of_interest' });
  expect(!result.ok && result.reason).toMatch(reason);
}

describe('who acted on a task (actedBy)', () => {
  it('grows with accepting, reporting, submitting and asking for an extension, first act first', () => {
    let task = ok(accept(deepFreeze(newTask()), brSec, {}, now));
    expect(task.actedBy).toEqual(['brSec']);
    const before = task;
    task = ok(reportProgress(task, resp, { content: '已制定计划' }, now));
    expect(task.actedBy).toEqual(['brSec', 'resp']);
    // A record, not state: the version stays.
    expect(task.version).toBe(before.version);
    // The same person again changes nothing: the very same snapshot.
    expect(ok(reportProgress(task, resp, { content: '又一次' }, now))).toBe(task);
    const ext = { requestId: 'e1', newDueAt: later(40), reason: '设备未到货', progress: '一半' };
    const otherSec = actor('otherSec', [ORGS.br, 'secretary']);
    expect(ok(requestExtension(task, otherSec, ext, now)).actedBy).toEqual([
      'brSec',
      'resp',
      'otherSec',
    ]);
    task = ok(submit(task, resp, { summary: '已整改' }, now));
    expect(task.actedBy).toEqual(['brSec', 'resp']);
  });

  it('is not grown by judging: checks and verifications leave it alone', () => {
    const task = ok(accept(newTask(), resp, {}, now));
    expect(ok(recordCheck(task, cmtSup, { result: 'on_track' }, now)).actedBy).toEqual(['resp']);
    const submitted = ok(submit(task, resp, { summary: 's' }, now));
    expect(ok(verify(submitted, cmtSup, { passed: true }, now)).actedBy).toEqual(['resp']);
  });
});

describe('taskConflict', () => {
  const task = newTask({ actedBy: ['helper'] });
  it.each([
    ['the responsible person', actor('resp', [ORGS.cmt, 'supervisor']), /责任人/],
    ['someone who acted on it', actor('helper', [ORGS.cmt, 'deputy']), /参与过/],
    [
      'a member of the responsible org',
      actor('m', [ORGS.br, 'member'], [ORGS.cmt, 'deputy']),
      /责任单位/,
    ],
    ['its secretary', actor('s', [ORGS.br, 'secretary'], [ORGS.prov, 'supervisor']), /责任单位/],
  ])('ties %s to the task', (_label, who, why) => {
    expect(taskConflict(who, task)).toMatch(why);
  });

  it.each([
    ['a supervisor of the raising org', cmtSup],
    ['a secretary above the responsible org', gbSec],
    ['the province secretary', provSec],
  ])('leaves %s free', (_label, who) => {
    expect(taskConflict(who, task)).toBeNull();
  });
});

describe('nobody verifies, closes or checks a task they acted on or whose responsible org they belong to', () => {
  // Secretary of the branch (does the work) and supervisor + deputy of the committee (judges it).
  const twoHats = actor(
    'twoHats',
    [ORGS.br, 'secretary'],
    [ORGS.cmt, 'supervisor'],
    [ORGS.cmt, 'deputy'],
  );
  // Accepted as a branch secretary, then moved up: the act stays on record.
  const formerSec = actor('formerSec', [ORGS.cmt, 'supervisor'], [ORGS.cmt, 'deputy']);

  const workedOn = () => {
    const asSec = actor('formerSec', [ORGS.br, 'secretary']);
    let task = ok(accept(newTask(), asSec, {}, now));
    task = ok(reportProgress(task, resp, { content: '已制定计划' }, now));
    return task;
  };

  it('verify', () => {
    const submitted = ok(submit(workedOn(), resp, { summary: '已整改' }, now));
    conflicted(verify(submitted, formerSec, { passed: true }, now), /^无权验收：你参与过/);
    conflicted(
      verify(submitted, twoHats, { passed: true }, now),
      /^无权验收：你在该任务的责任单位/,
    );
    expect(availableActions(submitted, formerSec, now)).not.toContain('verify');
    expect(availableActions(submitted, twoHats, now)).not.toContain('verify');
    expect(availableActions(submitted, cmtSup, now)).toContain('verify');
  });

  it('close', () => {
    const submitted = ok(submit(workedOn(), resp, { summary: '已整改' }, now));
    const verified = ok(verify(submitted, cmtSup, { passed: true }, now));
    conflicted(close(verified, formerSec, {}, now), /^无权销号：你参与过/);
    conflicted(close(verified, twoHats, {}, now), /^无权销号：你在该任务的责任单位/);
    expect(whyNot('close', verified, formerSec, now)).toMatchObject({
      errorCode: 'conflict_of_interest',
    });
    expect(ok(close(verified, cmtSec, {}, now)).state).toBe('closed');
    expect(ok(close(verified, cmtDep, {}, now)).state).toBe('closed');
  });

  it('check', () => {
    const task = workedOn();
    conflicted(recordCheck(task, formerSec, { result: 'on_track' }, now), /^无权督查：你参与过/);
    conflicted(recordCheck(task, twoHats, { result: 'on_track' }, now), /^无权督查/);
    expect(availableActions(task, twoHats, now)).not.toContain('recordCheck');
    expect(ok(recordCheck(task, cmtSup, { result: 'on_track' }, now))).toBe(task);
  });

  it('asked for an extension: never judges it either', () => {
    const asker = actor('asker', [ORGS.br, 'secretary']);
    const task = ok(
      requestExtension(
        ok(accept(newTask(), resp, {}, now)),
        asker,
        { requestId: 'e1', newDueAt: later(40), reason: '设备未到货', progress: '一半' },
        now,
      ),
    );
    const promoted = actor('asker', [ORGS.cmt, 'supervisor']);
    conflicted(recordCheck(task, promoted, { result: 'on_track' }, now), /参与过/);
  });
});

describe('accountability cases', () => {
  const c: CaseParties = {
    raisingOrg: ORGS.cmt,
    subjectOrg: ORGS.br,
    subjectUserIds: ['resp', 'brSec', 'gbSec'],
  };

  it('nobody decides a case in which they are a subject or whose subject org they hold a role in', () => {
    const subjectSecretary = actor('brSec', [ORGS.br, 'secretary'], [ORGS.cmt, 'secretary']);
    expect(caseConflict(subjectSecretary, c)).toMatch(/问责对象/);
    expect(whyNotDecideCase(subjectSecretary, c)).toEqual({
      code: 'conflict_of_interest',
      reason: expect.stringMatching(/^无权决定：你是该问责案件的问责对象/),
    });
    const memberDiscipline = actor('md', [ORGS.br, 'member'], [ORGS.cmt, 'discipline']);
    expect(whyNotDecideCase(memberDiscipline, c)).toMatchObject({
      code: 'conflict_of_interest',
      reason: expect.stringMatching(/担任职务/),
    });
    // gbSec is a subject (the leader in charge) even though not in the subject org.
    const leaderAsDiscipline = actor('gbSec', [ORGS.gb, 'secretary'], [ORGS.prov, 'discipline']);
    expect(whyNotDecideCase(leaderAsDiscipline, c)).toMatchObject({
      code: 'conflict_of_interest',
    });
  });

  it('the raising org’s discipline inspection or secretary, or discipline above, decide', () => {
    expect(whyNotDecideCase(cmtDiscipline, c)).toBeNull();
    expect(whyNotDecideCase(cmtSec, c)).toBeNull();
    expect(whyNotDecideCase(actor('pd', [ORGS.prov, 'discipline']), c)).toBeNull();
    for (const who of [cmtSup, cmtDep, provSec, resp, USERS.admin]) {
      expect(whyNotDecideCase(who, c)).toMatchObject({ code: 'forbidden' });
    }
  });

  it('when nobody eligible is left at the raising org, the next org up with discipline decides', () => {
    const own: CaseParties = {
      raisingOrg: ORGS.br,
      subjectOrg: ORGS.br,
      subjectUserIds: ['brSec'],
    };
    const holders: RoleHolder[] = [
      { userId: 'brSec', org: ORGS.br, role: 'secretary' },
      { userId: 'brDiscipline', org: ORGS.br, role: 'discipline' },
      { userId: 'gbSec', org: ORGS.gb, role: 'secretary' },
      { userId: 'cmtDiscipline', org: ORGS.cmt, role: 'discipline' },
      { userId: 'provDiscipline', org: ORGS.prov, role: 'discipline' },
    ];
    // The branch's own secretary is a subject and its discipline member sits in the branch.
    expect(caseDeciders(own, holders)).toEqual({ orgId: 'cmt', userIds: ['cmtDiscipline'] });
    expect(whyNotDecideCase(cmtDiscipline, own)).toBeNull();
    expect(whyNotDecideCase(actor('brSec', [ORGS.br, 'secretary']), own)).toMatchObject({
      code: 'conflict_of_interest',
    });
    // A committee discipline member who is also in the branch is skipped: the province decides.
    const skipped = [
      ...holders,
      { userId: 'cmtDiscipline', org: ORGS.br, role: 'member' as const },
    ];
    expect(caseDeciders(own, skipped)).toEqual({ orgId: 'prov', userIds: ['provDiscipline'] });
    // Someone free at the raising org decides there.
    expect(
      caseDeciders(c, [...holders, { userId: 'x', org: ORGS.cmt, role: 'secretary' }]),
    ).toEqual({ orgId: 'cmt', userIds: ['cmtDiscipline', 'x'] });
    expect(caseDeciders(own, holders.slice(0, 3))).toBeNull();
  });
});

describe('the leader in charge (mayLeadTask)', () => {
  it('holds a role in the responsible org or above it, no higher than the raising org', () => {
    expect(mayLeadTask([ORGS.br], ORGS.br, ORGS.cmt)).toBe(true);
    expect(mayLeadTask([ORGS.gb], ORGS.br, ORGS.cmt)).toBe(true);
    expect(mayLeadTask([ORGS.cmt], ORGS.br, ORGS.cmt)).toBe(true);
    expect(mayLeadTask([ORGS.prov], ORGS.br, ORGS.cmt)).toBe(false);
    expect(mayLeadTask([ORGS.cmt2], ORGS.br, ORGS.cmt)).toBe(false);
    expect(mayLeadTask([], ORGS.br, ORGS.cmt)).toBe(false);
    expect(mayLeadTask([ORGS.cmt2, ORGS.gb], ORGS.br, ORGS.cmt)).toBe(true);
  });
});
