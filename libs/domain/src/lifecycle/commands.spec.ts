import { Actor } from '../access/roles';
import {
  accept,
  applyCommand,
  assignTask,
  availableActions,
  close,
  decideExtension,
  recordCheck,
  reopen,
  reportProgress,
  requestExtension,
  submit,
  TaskAction,
  verify,
  whyNot,
} from './commands';
import { mayAssignTask, mayRaiseProblem } from './permissions';
import { RefusalCode, TaskSnapshot, TransitionResult } from './task';
import { deepFreeze, later, newTask, ORGS, T0, USERS } from './testing/org-fixtures';

const {
  resp,
  brMember,
  brSec,
  gbSec,
  cmtSec,
  cmtDep,
  cmtSup,
  provSec,
  provSup,
  cmt2Sec,
  dual,
  admin,
} = USERS;

/** The new snapshot of a successful command, failing the test with the reason otherwise. */
function ok(result: TransitionResult): TaskSnapshot {
  if (!result.ok) throw new Error(`unexpected refusal (${result.code}): ${result.reason}`);
  return result.task;
}

function refused(result: TransitionResult, code: RefusalCode, reason?: RegExp): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.code).toBe(code);
  expect(result.reason.length).toBeGreaterThan(10);
  if (reason) expect(result.reason).toMatch(reason);
}

/** Refused for a conflict of interest: 403 with code conflict_of_interest, saying why in Chinese. */
function conflicted(result: TransitionResult, reason: RegExp): void {
  refused(result, 'forbidden', reason);
  expect(!result.ok && result.errorCode).toBe('conflict_of_interest');
}

const now = later(1);
const inProgress = () => ok(accept(deepFreeze(newTask()), resp, {}, now));
const submittedBy = (who: Actor = resp) =>
  ok(submit(inProgress(), who, { summary: '已补开三会一课并建立台账' }, now));
const verifiedBy = (verifier: Actor, submitter: Actor = resp) =>
  ok(verify(submittedBy(submitter), verifier, { passed: true }, now));
const closedTask = () => ok(close(verifiedBy(cmtSup), cmtSec, {}, now));

describe('the task lifecycle, end to end', () => {
  it('assigned → in_progress → submitted → verified → closed → reopened, one version per change', () => {
    const created = assignTask(
      cmtSup,
      {
        id: 'task-1',
        raisingOrg: ORGS.cmt,
        responsibleOrg: ORGS.br,
        responsibleUserId: 'resp',
        responsibleUserHoldsRoleInResponsibleOrg: true,
        leaderUserId: 'gbSec',
        mode: 'deadline',
        dueAt: later(30),
      },
      T0,
    );
    let task = ok(created);
    expect(task).toEqual(newTask());
    expect(created.ok && created.events[0]).toMatchObject({ type: 'assigned', to: 'assigned' });

    const steps: [string, TransitionResult][] = [];
    const run = (label: string, r: TransitionResult) => {
      steps.push([label, r]);
      task = ok(r);
    };
    run('accept', accept(task, resp, { comment: '收到' }, later(1)));
    run('progress', reportProgress(task, resp, { content: '已召开支委会', percent: 40 }, later(5)));
    run(
      'submit',
      submit(task, resp, { summary: '已整改', attachmentIds: ['a1', 'a1', 'a2'] }, later(9)),
    );
    run('verify', verify(task, cmtSup, { passed: true, comment: '材料齐全' }, later(10)));
    run('close', close(task, cmtSec, {}, later(11)));
    run('reopen', reopen(task, cmtSup, { reason: '回头看发现问题反弹' }, later(90)));

    expect(task).toMatchObject({
      state: 'in_progress',
      version: 6,
      lastSubmittedBy: null,
      lastVerifiedBy: null,
    });
    const events = steps.flatMap(([, r]) => (r.ok ? r.events : []));
    expect(
      events.map((e) => [e.type, 'from' in e ? e.from : null, 'to' in e ? e.to : null]),
    ).toEqual([
      ['accepted', 'assigned', 'in_progress'],
      ['progress_reported', null, null],
      ['submitted', 'in_progress', 'submitted'],
      ['verification_passed', 'submitted', 'verified'],
      ['closed', 'verified', 'closed'],
      ['reopened', 'closed', 'in_progress'],
    ]);
    expect(events[2]).toMatchObject({
      taskId: 'task-1',
      actorId: 'resp',
      at: later(9),
      data: { summary: '已整改', attachmentIds: ['a1', 'a2'] },
    });
  });
});

describe('accept (签收)', () => {
  it('the responsible person or a secretary of the responsible org', () => {
    expect(ok(accept(newTask(), brSec, {}, now)).state).toBe('in_progress');
    expect(ok(accept(newTask(), resp, {}, now)).version).toBe(2);
  });

  it.each([
    ['another branch member', brMember],
    ['the secretary of an org above', gbSec],
    ['the raising committee', cmtSec],
    ['the system administrator', admin],
  ])('not %s', (_label, who) => {
    refused(accept(newTask(), who, {}, now), 'forbidden', /responsible person or a secretary/);
  });

  it('only once', () => {
    refused(accept(inProgress(), resp, {}, now), 'invalid_state', /in_progress/);
  });
});

describe('reportProgress (进展反馈)', () => {
  it('records an event and leaves the snapshot and version alone', () => {
    const task = inProgress();
    const r = reportProgress(
      task,
      resp,
      { content: '整改过半', percent: 50, attachmentIds: ['x'] },
      now,
    );
    expect(r.ok && r.task).toBe(task);
    expect(r.ok && r.events).toEqual([
      {
        taskId: 'task-1',
        actorId: 'resp',
        at: now,
        type: 'progress_reported',
        data: { content: '整改过半', percent: 50, attachmentIds: ['x'] },
      },
    ]);
  });

  it('needs content and a sane percentage, and an accepted task', () => {
    refused(reportProgress(inProgress(), resp, { content: '  ' }, now), 'invalid_input', /content/);
    refused(
      reportProgress(inProgress(), resp, { content: 'x', percent: 101 }, now),
      'invalid_input',
      /percent/,
    );
    refused(
      reportProgress(inProgress(), resp, { content: 'x', percent: 2.5 }, now),
      'invalid_input',
    );
    refused(reportProgress(newTask(), resp, { content: 'x' }, now), 'invalid_state');
    refused(reportProgress(inProgress(), cmtSup, { content: 'x' }, now), 'forbidden');
  });
});

describe('submit (申请销号)', () => {
  it('needs a non-empty summary', () => {
    refused(submit(inProgress(), resp, { summary: '' }, now), 'invalid_input', /summary/);
    refused(submit(inProgress(), resp, {} as never, now), 'invalid_input', /summary/);
  });

  it('opens a verification round naming the submitter', () => {
    expect(submittedBy(brSec)).toMatchObject({
      state: 'submitted',
      lastSubmittedBy: 'brSec',
      lastVerifiedBy: null,
      version: 3,
    });
  });

  it('only from in_progress', () => {
    refused(submit(newTask(), resp, { summary: 'x' }, now), 'invalid_state');
    refused(submit(submittedBy(), resp, { summary: 'x' }, now), 'invalid_state');
  });
});

describe('verify (验收)', () => {
  it.each([
    ['a supervisor of the raising org', cmtSup],
    ['a secretary of the raising org', cmtSec],
    ['a deputy of the raising org', cmtDep],
    ['a secretary of an org above the responsible org', gbSec],
    ['a supervisor of the province', provSup],
  ])('may be done by %s', (_label, who) => {
    expect(ok(verify(submittedBy(), who, { passed: true }, now))).toMatchObject({
      state: 'verified',
      lastVerifiedBy: who.userId,
    });
  });

  it.each([
    ['a sibling committee', cmt2Sec],
    ['the branch secretary', brSec],
    ['the system administrator', admin],
  ])('may not be done by %s', (_label, who) => {
    refused(verify(submittedBy(), who, { passed: true }, now), 'forbidden', /verifying/);
  });

  it('never by the person who submitted this round', () => {
    // dual is the branch secretary (submits) and a committee deputy (could verify).
    const task = submittedBy(dual);
    conflicted(verify(task, dual, { passed: true }, now), /无权验收：你参与过该任务的整改/);
  });

  it('never by the responsible person, even holding a supervising role', () => {
    const task = ok(
      submit(
        ok(accept(newTask({ responsibleUserId: 'dual' }), dual, {}, now)),
        brSec,
        { summary: 's' },
        now,
      ),
    );
    conflicted(verify(task, dual, { passed: true }, now), /无权验收：你是该任务的责任人/);
  });

  it('a failed verification needs a comment and sends the task back, ending the round', () => {
    refused(verify(submittedBy(dual), cmtSup, { passed: false }, now), 'invalid_input', /comment/);
    const r = verify(submittedBy(dual), cmtSup, { passed: false, comment: '佐证材料不全' }, now);
    expect(ok(r)).toMatchObject({
      state: 'in_progress',
      lastSubmittedBy: null,
      lastVerifiedBy: null,
    });
    expect(r.ok && r.events[0]).toMatchObject({
      type: 'verification_failed',
      data: { comment: '佐证材料不全' },
    });
    // In the next round someone else submits; dual acted on the task once and stays out of it.
    const again = ok(submit(ok(r), resp, { summary: '已补充材料' }, now));
    conflicted(verify(again, dual, { passed: true }, now), /无权验收/);
    expect(ok(verify(again, cmtDep, { passed: true }, now)).lastVerifiedBy).toBe('cmtDep');
  });

  it('rejects a missing verdict and the wrong state', () => {
    refused(verify(submittedBy(), cmtSup, {} as never, now), 'invalid_input', /passed/);
    refused(verify(inProgress(), cmtSup, { passed: true }, now), 'invalid_state', /submitted/);
  });
});

describe('close (销号)', () => {
  it.each([
    ['the raising secretary', cmtSec],
    ['the raising deputy', cmtDep],
    ['the province secretary', provSec],
  ])('may be approved by %s', (_label, who) => {
    const r = close(verifiedBy(cmtSup), who, { comment: '同意销号' }, now);
    expect(ok(r).state).toBe('closed');
    expect(r.ok && r.events[0]).toMatchObject({ type: 'closed', data: { comment: '同意销号' } });
  });

  it.each([
    ['a supervisor (verifies, never approves)', cmtSup],
    ['a secretary between the raising and the responsible org', gbSec],
    ['a sibling committee', cmt2Sec],
    ['the branch secretary', brSec],
  ])('may not be approved by %s', (_label, who) => {
    refused(close(verifiedBy(provSup), who, {}, now), 'forbidden', /approving the closure/);
  });

  it('never by the verifier of the same round (four eyes)', () => {
    refused(close(verifiedBy(cmtSec), cmtSec, {}, now), 'forbidden', /verified/);
  });

  it('never by the submitter', () => {
    conflicted(close(verifiedBy(cmtSup, dual), dual, {}, now), /无权销号：你参与过该任务的整改/);
  });

  it('only a verified task, and not while an extension is pending', () => {
    refused(close(submittedBy(), cmtSec, {}, now), 'invalid_state', /verified/);
    const pending = ok(
      requestExtension(
        inProgress(),
        resp,
        { requestId: 'e1', newDueAt: later(40), reason: '需采购设备', progress: '已完成一半' },
        now,
      ),
    );
    const verified = ok(
      verify(ok(submit(pending, resp, { summary: 's' }, now)), cmtSup, { passed: true }, now),
    );
    refused(close(verified, cmtSec, {}, now), 'invalid_state', /extension/);
  });
});

describe('reopen (回头看)', () => {
  it('needs a reason and a closed task', () => {
    refused(reopen(closedTask(), cmtSup, { reason: ' ' }, now), 'invalid_input', /reason/);
    refused(reopen(verifiedBy(cmtSup), cmtSup, { reason: 'x' }, now), 'invalid_state');
  });

  it('by the raising org’s secretary, deputy or supervisor only', () => {
    for (const who of [cmtSec, cmtDep, cmtSup]) {
      expect(ok(reopen(closedTask(), who, { reason: '问题反弹' }, now)).state).toBe('in_progress');
    }
    for (const who of [provSec, gbSec, brSec, cmt2Sec, resp]) {
      refused(reopen(closedTask(), who, { reason: '问题反弹' }, now), 'forbidden', /回头看/);
    }
  });

  it('may set a new deadline, which must lie in the future', () => {
    const task = closedTask();
    refused(reopen(task, cmtSup, { reason: 'x', newDueAt: now }, now), 'invalid_input', /future/);
    const r = reopen(task, cmtSup, { reason: '屡改屡犯', newDueAt: later(60) }, now);
    expect(ok(r).dueAt).toEqual(later(60));
    expect(r.ok && r.events[0].data).toEqual({
      reason: '屡改屡犯',
      oldDueAt: later(30),
      newDueAt: later(60),
    });
  });

  it('a standing measure gets no deadline', () => {
    const standing = ok(
      close(
        ok(
          verify(
            ok(
              submit(
                ok(accept(newTask({ mode: 'standing', dueAt: null }), resp, {}, now)),
                resp,
                { summary: 's' },
                now,
              ),
            ),
            cmtSup,
            { passed: true },
            now,
          ),
        ),
        cmtSec,
        {},
        now,
      ),
    );
    refused(
      reopen(standing, cmtSup, { reason: 'x', newDueAt: later(60) }, now),
      'invalid_input',
      /standing/,
    );
  });
});

describe('extensions (延期)', () => {
  const input = {
    requestId: 'e1',
    newDueAt: later(45),
    reason: '设备未到货',
    progress: '已完成七成',
  };
  const pending = () => ok(requestExtension(inProgress(), resp, input, later(20)));

  it('a request records the pending extension and its event', () => {
    const r = requestExtension(inProgress(), brSec, input, later(20));
    expect(ok(r)).toMatchObject({
      version: 3,
      dueAt: later(30),
      pendingExtension: {
        requestId: 'e1',
        requestedBy: 'brSec',
        requestedAt: later(20),
        requestedDueAt: later(45),
        reason: '设备未到货',
        progress: '已完成七成',
      },
    });
    expect(r.ok && r.events[0]).toMatchObject({
      type: 'extension_requested',
      data: { currentDueAt: later(30), requestedDueAt: later(45) },
    });
  });

  it('must be asked for strictly before the deadline', () => {
    refused(
      requestExtension(inProgress(), resp, input, later(30)),
      'invalid_state',
      /before the deadline/,
    );
    refused(requestExtension(inProgress(), resp, input, later(31)), 'invalid_state');
  });

  it('needs a later deadline, a reason and the progress so far', () => {
    const t = inProgress();
    refused(
      requestExtension(t, resp, { ...input, newDueAt: later(30) }, now),
      'invalid_input',
      /later than/,
    );
    refused(requestExtension(t, resp, { ...input, newDueAt: new Date(NaN) }, now), 'invalid_input');
    refused(requestExtension(t, resp, { ...input, reason: '' }, now), 'invalid_input', /reason/);
    refused(
      requestExtension(t, resp, { ...input, progress: '' }, now),
      'invalid_input',
      /progress/,
    );
    refused(
      requestExtension(t, resp, { ...input, requestId: '' }, now),
      'invalid_input',
      /requestId/,
    );
  });

  it('one pending at a time; not for standing measures; not by others', () => {
    refused(
      requestExtension(pending(), resp, { ...input, requestId: 'e2' }, later(21)),
      'invalid_state',
      /already pending/,
    );
    const standing = ok(accept(newTask({ mode: 'standing', dueAt: null }), resp, {}, now));
    refused(requestExtension(standing, resp, input, now), 'invalid_state', /standing/);
    refused(requestExtension(inProgress(), cmtSec, input, now), 'forbidden');
  });

  it('approval moves the deadline and keeps the old one in the event', () => {
    const r = decideExtension(
      pending(),
      cmtSec,
      { requestId: 'e1', approve: true, comment: '同意' },
      later(25),
    );
    expect(ok(r)).toMatchObject({ dueAt: later(45), pendingExtension: null, version: 4 });
    expect(r.ok && r.events[0]).toMatchObject({
      type: 'extension_approved',
      actorId: 'cmtSec',
      data: { requestId: 'e1', requestedBy: 'resp', oldDueAt: later(30), newDueAt: later(45) },
    });
  });

  it('approval may come after the old deadline if the request was in time', () => {
    expect(
      ok(decideExtension(pending(), cmtDep, { requestId: 'e1', approve: true }, later(35))).dueAt,
    ).toEqual(later(45));
    refused(
      decideExtension(pending(), cmtDep, { requestId: 'e1', approve: true }, later(46)),
      'invalid_input',
      /already passed/,
    );
  });

  it('rejection leaves the deadline', () => {
    const r = decideExtension(pending(), provSec, { requestId: 'e1', approve: false }, later(25));
    expect(ok(r)).toMatchObject({ dueAt: later(30), pendingExtension: null });
    expect(r.ok && r.events[0].type).toBe('extension_rejected');
  });

  it('decided by whoever may close, never by the requester or the responsible person', () => {
    refused(
      decideExtension(pending(), cmtSup, { requestId: 'e1', approve: true }, now),
      'forbidden',
    );
    refused(
      decideExtension(pending(), gbSec, { requestId: 'e1', approve: true }, now),
      'forbidden',
    );
    const byDual = ok(requestExtension(inProgress(), dual, input, now));
    refused(
      decideExtension(byDual, dual, { requestId: 'e1', approve: true }, now),
      'forbidden',
      /asked/,
    );
  });

  it('names the request it decides, and needs one', () => {
    refused(
      decideExtension(pending(), cmtSec, { requestId: 'e9', approve: true }, now),
      'invalid_input',
      /requestId/,
    );
    refused(
      decideExtension(inProgress(), cmtSec, { requestId: 'e1', approve: true }, now),
      'invalid_state',
    );
  });
});

describe('recordCheck (督查)', () => {
  it('records the finding as an event; the snapshot and version stay', () => {
    const task = inProgress();
    const r = recordCheck(task, cmtSup, { result: 'superficial', note: '只有材料没有实效' }, now);
    expect(r.ok && r.task).toBe(task);
    expect(r.ok && r.events[0]).toMatchObject({
      type: 'check_recorded',
      data: { result: 'superficial', note: '只有材料没有实效' },
    });
    expect(ok(recordCheck(newTask(), gbSec, { result: 'on_track' }, now)).version).toBe(1);
  });

  it('a lagging or superficial finding needs a note; the result must be known', () => {
    refused(recordCheck(inProgress(), cmtSup, { result: 'lagging' }, now), 'invalid_input', /note/);
    refused(
      recordCheck(inProgress(), cmtSup, { result: 'fine' } as never, now),
      'invalid_input',
      /result/,
    );
  });

  it('by supervisors of the raising org or above the responsible org, on open tasks', () => {
    refused(recordCheck(inProgress(), brSec, { result: 'on_track' }, now), 'forbidden');
    refused(recordCheck(inProgress(), cmt2Sec, { result: 'on_track' }, now), 'forbidden');
    refused(recordCheck(closedTask(), cmtSup, { result: 'on_track' }, now), 'invalid_state');
  });
});

describe('availableActions (for the UI)', () => {
  const names = (task: TaskSnapshot, who: Actor, at = now) => availableActions(task, who, at);

  it('lists what each person may do in each state', () => {
    expect(names(newTask(), resp)).toEqual(['accept']);
    expect(names(newTask(), cmtSup)).toEqual(['recordCheck']);
    expect(names(inProgress(), resp)).toEqual(['reportProgress', 'submit', 'requestExtension']);
    expect(names(inProgress(), resp, later(31))).toEqual(['reportProgress', 'submit']);
    expect(names(submittedBy(dual), dual)).toEqual([]);
    // dual is also the branch secretary: judges nothing of the branch's work.
    expect(names(submittedBy(), dual)).toEqual([]);
    expect(names(submittedBy(), cmtDep)).toEqual(['verify', 'recordCheck']);
    expect(names(verifiedBy(cmtSec), cmtSec)).toEqual(['recordCheck']);
    expect(names(verifiedBy(cmtSup), cmtSec)).toEqual(['close', 'recordCheck']);
    expect(names(closedTask(), cmtSup)).toEqual(['reopen']);
    expect(names(closedTask(), admin)).toEqual([]);
  });

  it('agrees with the commands: whyNot explains the missing ones', () => {
    expect(whyNot('close', verifiedBy(cmtSec), cmtSec, now)).toMatchObject({ code: 'forbidden' });
    expect(whyNot('close', verifiedBy(cmtSup), cmtSec, now)).toBeNull();
  });
});

describe('applyCommand', () => {
  it('dispatches every action', () => {
    const actions: TaskAction[] = [];
    let task = newTask();
    const step = (who: Actor, command: Parameters<typeof applyCommand>[2]) => {
      task = ok(applyCommand(task, who, command, now));
      actions.push(command.action);
    };
    step(resp, { action: 'accept', input: {} });
    step(resp, { action: 'reportProgress', input: { content: 'c' } });
    step(cmtSup, { action: 'recordCheck', input: { result: 'on_track' } });
    step(resp, {
      action: 'requestExtension',
      input: { requestId: 'e', newDueAt: later(40), reason: 'r', progress: 'p' },
    });
    step(cmtSec, { action: 'decideExtension', input: { requestId: 'e', approve: false } });
    step(resp, { action: 'submit', input: { summary: 's' } });
    step(cmtSup, { action: 'verify', input: { passed: true } });
    step(cmtSec, { action: 'close', input: {} });
    step(cmtSup, { action: 'reopen', input: { reason: 'r' } });
    expect(task.state).toBe('in_progress');
    expect(task.version).toBe(8);
  });
});

describe('purity', () => {
  it('never modifies the task it is given', () => {
    const task = deepFreeze(verifiedBy(cmtSup));
    const copy = structuredClone(task);
    close(task, cmtSup, {}, now);
    close(task, cmtSec, {}, now);
    expect(task).toEqual(copy);
  });

  it('refuses an invalid clock instead of guessing', () => {
    expect(() => accept(newTask(), resp, {}, new Date(NaN))).toThrow(RangeError);
  });
});

describe('assignTask (交办)', () => {
  const base = {
    id: 't',
    raisingOrg: ORGS.cmt,
    responsibleOrg: ORGS.br,
    responsibleUserId: 'resp',
    responsibleUserHoldsRoleInResponsibleOrg: true,
    mode: 'deadline' as const,
    dueAt: later(10),
  };

  it('creates an assigned task at version 1', () => {
    expect(ok(assignTask(cmtDep, base, T0))).toMatchObject({
      state: 'assigned',
      version: 1,
      leaderUserId: null,
    });
    expect(ok(assignTask(cmtSup, { ...base, mode: 'standing', dueAt: null }, T0)).dueAt).toBeNull();
  });

  it('checks the deadline against the mode', () => {
    refused(assignTask(cmtSup, { ...base, dueAt: null }, T0), 'invalid_input', /deadline/);
    refused(assignTask(cmtSup, { ...base, dueAt: T0 }, T0), 'invalid_input', /future/);
    refused(assignTask(cmtSup, { ...base, mode: 'standing' }, T0), 'invalid_input', /standing/);
    refused(assignTask(cmtSup, { ...base, mode: 'later' as never }, T0), 'invalid_input', /mode/);
  });

  it('checks who assigns to whom', () => {
    refused(assignTask(provSec, base, T0), 'forbidden', /raising organisation/);
    refused(assignTask(cmtSup, { ...base, responsibleOrg: ORGS.cmt2 }, T0), 'forbidden', /below/);
    refused(
      assignTask(cmtSup, { ...base, responsibleUserHoldsRoleInResponsibleOrg: false }, T0),
      'forbidden',
    );
  });
});

describe('mayRaiseProblem / mayAssignTask', () => {
  it('raise: secretary, deputy or supervisor of the raising org, over the problem’s org', () => {
    expect(mayRaiseProblem(cmtSup, ORGS.cmt, ORGS.br)).toEqual({ allowed: true });
    expect(mayRaiseProblem(cmtSec, ORGS.cmt, ORGS.cmt)).toEqual({ allowed: true });
    expect(mayRaiseProblem(cmtSec, ORGS.cmt, ORGS.cmt2)).toMatchObject({ allowed: false });
    expect(mayRaiseProblem(cmtSec, ORGS.cmt, ORGS.prov)).toMatchObject({ allowed: false });
    expect(mayRaiseProblem(USERS.cmtMember, ORGS.cmt, ORGS.br)).toMatchObject({ allowed: false });
    expect(mayRaiseProblem(USERS.cmtDiscipline, ORGS.cmt, ORGS.br)).toMatchObject({
      allowed: false,
    });
    // A province secretary raises in the province's name, not in the committee's.
    expect(mayRaiseProblem(provSec, ORGS.cmt, ORGS.br)).toMatchObject({ allowed: false });
    expect(mayRaiseProblem(provSec, ORGS.prov, ORGS.br)).toEqual({ allowed: true });
    expect(mayRaiseProblem(admin, ORGS.prov, ORGS.br)).toMatchObject({ allowed: false });
  });

  it('assign: within the subtree, to a person holding a role there', () => {
    expect(mayAssignTask(cmtDep, ORGS.cmt, ORGS.gb, true)).toEqual({ allowed: true });
    expect(mayAssignTask(cmtDep, ORGS.cmt, ORGS.cmt, true)).toEqual({ allowed: true });
    expect(mayAssignTask(cmtDep, ORGS.cmt, ORGS.prov, true)).toMatchObject({ allowed: false });
    expect(mayAssignTask(cmtDep, ORGS.cmt, ORGS.gb, false)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(
        /^责任人须在责任单位担任职务 — the responsible person must hold a role in the responsible organisation$/,
      ),
    });
    expect(mayAssignTask(brSec, ORGS.cmt, ORGS.br, true)).toMatchObject({ allowed: false });
  });
});
