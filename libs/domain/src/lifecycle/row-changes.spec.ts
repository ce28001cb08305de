import {
  accept,
  close,
  decideExtension,
  recordCheck,
  reopen,
  reportProgress,
  requestExtension,
  submit,
  verify,
} from './commands';
import {
  ladderRestart,
  ladderTimerAfter,
  problemAfterMeasures,
  problemIsClosed,
  transitionWrites,
  type TaskRowBefore,
} from './row-changes';
import type { TaskSnapshot, TransitionResult } from './task';
import { later, newTask, USERS } from './testing/org-fixtures';

const { resp, cmtSup, cmtSec } = USERS;

function ok(result: TransitionResult): Extract<TransitionResult, { ok: true }> {
  if (!result.ok) throw new Error(`unexpected refusal (${result.code}): ${result.reason}`);
  return result;
}

const rowOf = (t: TaskSnapshot, closedAt: Date | null = null): TaskRowBefore => ({
  state: t.state,
  dueAt: t.dueAt,
  closedAt,
  actedBy: t.actedBy,
});

const now = later(2);
const BLUE = later(25);
const blueFrom = (dueAt: Date | null) => (dueAt ? BLUE : null);

/** The writes of one command applied to `task`. */
function writesOf(task: TaskSnapshot, result: TransitionResult, closedAt: Date | null = null) {
  const r = ok(result);
  return transitionWrites(rowOf(task, closedAt), r.task, r.events, now, blueFrom);
}

const inProgress = () => ok(accept(newTask(), resp, {}, later(1))).task;
const submitted = () => ok(submit(inProgress(), resp, { summary: '已整改' }, later(1))).task;
const verified = () => ok(verify(submitted(), cmtSup, { passed: true }, later(1))).task;
const closed = () => ok(close(verified(), cmtSec, {}, later(1))).task;

describe('transitionWrites: what a transition changes on the record', () => {
  it('accept: the new state and version, who acted, and the ladder planned again from now', () => {
    const task = newTask();
    const w = writesOf(task, accept(task, resp, {}, now));
    expect(w.task).toEqual({
      state: 'in_progress',
      version: 2,
      dueAt: task.dueAt,
      lastSubmittedBy: null,
      lastVerifiedBy: null,
      pendingExtensionId: null,
      closedAt: null,
      updatedAt: now,
      actedBy: ['resp'],
      timer: { nextFireAt: now },
    });
    expect(w.extensions).toEqual([]);
    expect(w.problemOpenDelta).toBe(0);
  });

  it('a progress report stamps the report and clears the late quarterly report, not the timer', () => {
    const task = inProgress();
    const w = writesOf(task, reportProgress(task, resp, { content: '已召开支委会' }, now));
    expect(w.task).toMatchObject({ lastProgressAt: now, quarterlyReportLate: false });
    expect(w.task.timer).toBeUndefined();
    expect(w.task.ladderRestart).toBeUndefined();
    // The same person again: nobody new acted, the list is not rewritten.
    expect(w.task.actedBy).toBeUndefined();
  });

  it('a submission pauses the ladder while it awaits verification', () => {
    const task = inProgress();
    const w = writesOf(task, submit(task, resp, { summary: '已整改' }, now));
    expect(w.task).toMatchObject({ state: 'submitted', lastSubmittedBy: 'resp' });
    expect(w.task.timer).toEqual({ nextFireAt: null });
  });

  it('a check records its finding and when', () => {
    const task = inProgress();
    const w = writesOf(
      task,
      recordCheck(task, cmtSup, { result: 'lagging', note: '进度滞后' }, now),
    );
    expect(w.task).toMatchObject({ lastCheckResult: 'lagging', lastCheckAt: now });
  });

  it('the closure of a measure stamps it and takes one from its problem’s open measures', () => {
    const task = verified();
    const w = writesOf(task, close(task, cmtSec, {}, now));
    expect(w.task).toMatchObject({ state: 'closed', closedAt: now, timer: { nextFireAt: null } });
    expect(w.problemOpenDelta).toBe(-1);
  });

  it('a reopening with a new deadline restarts the ladder and forgets the old check finding', () => {
    const task = closed();
    const newDueAt = later(60);
    const w = writesOf(
      task,
      reopen(task, cmtSup, { reason: '回头看发现问题反弹', newDueAt }, now),
      later(1),
    );
    expect(w.problemOpenDelta).toBe(1);
    expect(w.task).toMatchObject({
      state: 'in_progress',
      dueAt: newDueAt,
      closedAt: null,
      lastCheckResult: null,
      ladderRestart: { blueFrom: BLUE, deadlineSetAt: now, escalationLevel: 0, supervised: false },
      timer: { nextFireAt: now },
    });
  });

  it('a reopening that keeps the deadline keeps the ladder’s steps', () => {
    const task = closed();
    const w = writesOf(task, reopen(task, cmtSup, { reason: '回头看' }, now), later(1));
    expect(w.task.ladderRestart).toBeUndefined();
    expect(w.task.timer).toEqual({ nextFireAt: now });
  });

  it('an extension request is recorded beside the task, and its approval restarts the ladder', () => {
    const task = inProgress();
    const requested = ok(
      requestExtension(
        task,
        resp,
        { requestId: 'x1', newDueAt: later(90), reason: '需上级协调', progress: '已完成一半' },
        now,
      ),
    );
    const asked = transitionWrites(rowOf(task), requested.task, requested.events, now, blueFrom);
    expect(asked.task.pendingExtensionId).toBe('x1');
    expect(asked.task.timer).toBeUndefined();
    expect(asked.extensions).toEqual([
      {
        kind: 'request',
        id: 'x1',
        taskId: task.id,
        requestedBy: 'resp',
        requestedAt: now,
        currentDueAt: task.dueAt,
        requestedDueAt: later(90),
        reason: '需上级协调',
        progress: '已完成一半',
      },
    ]);

    const pending = requested.task;
    const approved = ok(
      decideExtension(pending, cmtSec, { requestId: 'x1', approve: true, comment: '同意' }, now),
    );
    const decided = transitionWrites(rowOf(pending), approved.task, approved.events, now, blueFrom);
    expect(decided.extensions).toEqual([
      {
        kind: 'decision',
        id: 'x1',
        state: 'approved',
        decidedBy: 'cmtSec',
        decidedAt: now,
        comment: '同意',
      },
    ]);
    expect(decided.task).toMatchObject({
      dueAt: later(90),
      pendingExtensionId: null,
      ladderRestart: { deadlineSetAt: now, escalationLevel: 0 },
      timer: { nextFireAt: now },
    });
  });
});

describe('the ladder rules of a row change', () => {
  it('restarts only on a different deadline', () => {
    const due = later(30);
    expect(ladderRestart({ dueAt: due }, { dueAt: new Date(due) }, now, blueFrom)).toBeNull();
    expect(ladderRestart({ dueAt: null }, { dueAt: null }, now, blueFrom)).toBeNull();
    expect(ladderRestart({ dueAt: due }, { dueAt: later(31) }, now, blueFrom)).toEqual({
      blueFrom: BLUE,
      deadlineSetAt: now,
      escalationLevel: 0,
      supervised: false,
    });
  });

  it('runs while the unit owes work against a deadline', () => {
    const due = later(30);
    expect(ladderTimerAfter({ state: 'assigned', dueAt: due }, now)).toEqual({ nextFireAt: now });
    expect(ladderTimerAfter({ state: 'in_progress', dueAt: due }, now)).toEqual({
      nextFireAt: now,
    });
    for (const state of ['submitted', 'verified', 'closed'] as const)
      expect(ladderTimerAfter({ state, dueAt: due }, now)).toEqual({ nextFireAt: null });
    // A standing measure (长期坚持) has no deadline, hence no ladder.
    expect(ladderTimerAfter({ state: 'in_progress', dueAt: null }, now)).toEqual({
      nextFireAt: null,
    });
  });
});

describe('a problem and its measures (问题状态)', () => {
  it('closes with its last open measure, at that moment', () => {
    expect(
      problemAfterMeasures({ taskCount: 3, openTaskCount: 1 }, { added: 0, openDelta: -1 }, now),
    ).toEqual({ taskCount: 3, openTaskCount: 0, closedAt: now });
    expect(
      problemAfterMeasures({ taskCount: 3, openTaskCount: 2 }, { added: 0, openDelta: -1 }, now),
    ).toEqual({ taskCount: 3, openTaskCount: 1, closedAt: null });
  });

  it('opens again with a reopened or a new measure', () => {
    expect(
      problemAfterMeasures({ taskCount: 3, openTaskCount: 0 }, { added: 0, openDelta: 1 }, now),
    ).toMatchObject({ openTaskCount: 1, closedAt: null });
    expect(
      problemAfterMeasures({ taskCount: 3, openTaskCount: 0 }, { added: 1, openDelta: 1 }, now),
    ).toEqual({ taskCount: 4, openTaskCount: 1, closedAt: null });
  });

  it('is closed only with measures, all of them closed', () => {
    expect(problemIsClosed({ taskCount: 0, openTaskCount: 0 })).toBe(false);
    expect(problemIsClosed({ taskCount: 2, openTaskCount: 1 })).toBe(false);
    expect(problemIsClosed({ taskCount: 2, openTaskCount: 0 })).toBe(true);
  });
});
