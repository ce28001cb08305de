import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { applyCommand, availableActions, TASK_ACTIONS, TaskAction, TaskCommand } from './commands';
import { DomainEvent, RefusalCode, TaskSnapshot, TaskState } from './task';
import { deepFreeze, later, newTask, T0, UserName, USERS } from './testing/org-fixtures';

/**
 * Random command sequences by random people against the fixed org tree. Most steps are
 * "guided" (a person and an action allowed right now, so long lifecycles actually happen), the
 * rest blind (mostly refused); inputs are random either way, valid or not. Whatever happens:
 *  - nothing reaches `closed` without a passed verification, in the same round, by someone
 *    other than the submitter, and the closer is neither the submitter nor that verifier;
 *  - every refusal leaves the task exactly as it was (deep equal, same version);
 *  - every success moves along an edge of the state machine and bumps the version exactly
 *    when the snapshot changed;
 *  - availableActions agrees with the commands.
 */

const USER_NAMES = Object.keys(USERS) as UserName[];

const EDGES = new Set<string>([
  'assigned>in_progress',
  'in_progress>submitted',
  'submitted>verified',
  'submitted>in_progress',
  'verified>closed',
  'closed>in_progress',
]);

const text = fc.constantFrom('', '   ', '已整改到位', '设备未到货', '佐证材料不全');
const mostlyText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('已整改到位', '情况说明') },
  text,
);
const dayAt = fc.integer({ min: -5, max: 90 }).map((d) => later(d));

/** One input of each kind, so a guided step can use whichever action it ends up taking. */
const inputs = fc.record({
  accept: fc.record({ comment: fc.option(text, { nil: undefined }) }),
  reportProgress: fc.record({
    content: mostlyText,
    percent: fc.option(fc.integer({ min: -10, max: 110 }), { nil: undefined }),
  }),
  submit: fc.record({
    summary: mostlyText,
    attachmentIds: fc.constantFrom(undefined, [], ['a1']),
  }),
  verify: fc.record({ passed: fc.boolean(), comment: fc.option(mostlyText, { nil: undefined }) }),
  close: fc.record({ comment: fc.option(text, { nil: undefined }) }),
  reopen: fc.record({
    reason: mostlyText,
    newDueAt: fc.option(dayAt, { nil: undefined }),
  }),
  requestExtension: fc.record({
    requestId: fc.constantFrom('e1', 'e2', ''),
    newDueAt: dayAt,
    reason: mostlyText,
    progress: mostlyText,
  }),
  decideExtension: fc.record({
    requestId: fc.constantFrom('e1', 'e2'),
    approve: fc.boolean(),
    comment: fc.option(text, { nil: undefined }),
  }),
  recordCheck: fc.record({
    result: fc.constantFrom('on_track' as const, 'lagging' as const, 'superficial' as const),
    note: fc.option(mostlyText, { nil: undefined }),
  }),
});

const step = fc.record({
  who: fc.constantFrom(...USER_NAMES),
  // Four in five steps are guided.
  guided: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  pick: fc.nat(),
  action: fc.constantFrom(...TASK_ACTIONS),
  inputs,
  advanceHours: fc.integer({ min: 0, max: 48 }),
});

const initialTask = fc
  .record({
    responsibleUserId: fc.constantFrom('resp', 'dual'),
    mode: fc.constantFrom('deadline' as const, 'immediate' as const, 'standing' as const),
  })
  .map(({ responsibleUserId, mode }) =>
    newTask({ responsibleUserId, mode, dueAt: mode === 'standing' ? null : later(30) }),
  );

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function commandFor(action: TaskAction, s: Step): TaskCommand {
  // Each action with its own input; the switch keeps the pairing type-checked.
  switch (action) {
    case 'accept':
      return { action, input: s.inputs.accept };
    case 'reportProgress':
      return { action, input: s.inputs.reportProgress };
    case 'submit':
      return { action, input: s.inputs.submit };
    case 'verify':
      return { action, input: s.inputs.verify };
    case 'close':
      return { action, input: s.inputs.close };
    case 'reopen':
      return { action, input: s.inputs.reopen };
    case 'requestExtension':
      return { action, input: s.inputs.requestExtension };
    case 'decideExtension':
      return { action, input: s.inputs.decideExtension };
    case 'recordCheck':
      return { action, input: s.inputs.recordCheck };
  }
}

const withoutVersion = ({ version: _v, ...rest }: TaskSnapshot) => rest;

const stats = {
  closed: 0,
  reopened: 0,
  failedVerifications: 0,
  extensionsApproved: 0,
  refusals: { forbidden: 0, invalid_state: 0, invalid_input: 0 } as Record<RefusalCode, number>,
};

describe('the task state machine under random command sequences', () => {
  it('keeps four eyes on every closure, and refusals change nothing', () => {
    fc.assert(
      fc.property(
        initialTask,
        fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }),
        (start, steps) => {
          let task = deepFreeze(start);
          let now = T0;
          // The round as the events tell it, independent of the snapshot's own fields.
          let roundSubmitter: string | null = null;
          let roundVerifier: string | null = null;

          for (const s of steps) {
            now = new Date(now.getTime() + s.advanceHours * 3_600_000);
            // A guided step takes one of the (person, action) pairs allowed right now.
            const allowed = USER_NAMES.flatMap((name) =>
              availableActions(task, USERS[name], now).map((a) => [name, a] as const),
            );
            const [who, action] =
              s.guided && allowed.length > 0 ? allowed[s.pick % allowed.length] : [s.who, s.action];
            const actor = USERS[who];
            const available = availableActions(task, actor, now);
            const before = structuredClone(task);
            const result = applyCommand(task, actor, commandFor(action, s), now);

            // The input snapshot is never touched, whatever the outcome.
            expect(task).toEqual(before);

            if (!result.ok) {
              stats.refusals[result.code] += 1;
              expect(['forbidden', 'invalid_state', 'invalid_input']).toContain(result.code);
              expect(result.reason.trim().length).toBeGreaterThan(0);
              expect(result).not.toHaveProperty('task');
              // Guards and availableActions are the same rules.
              expect(available.includes(action)).toBe(result.code === 'invalid_input');
              continue; // the task stays exactly as it was: same object, same version
            }

            expect(available).toContain(action);
            const next = result.task;
            const changed = !isDeepStrictEqual(withoutVersion(next), withoutVersion(task));
            expect(next.version).toBe(changed ? task.version + 1 : task.version);
            if (!changed) expect(next).toEqual(task);
            expect(result.events.length).toBeGreaterThan(0);

            if (next.state !== task.state) {
              expect(EDGES.has(`${task.state}>${next.state}`)).toBe(true);
            }
            for (const event of result.events) {
              checkEvent(event, task, next, actor.userId, now);
              switch (event.type) {
                case 'submitted':
                  roundSubmitter = event.actorId;
                  roundVerifier = null;
                  break;
                case 'verification_passed':
                  expect(roundSubmitter).not.toBeNull();
                  expect(event.actorId).not.toBe(roundSubmitter);
                  roundVerifier = event.actorId;
                  break;
                case 'verification_failed':
                  stats.failedVerifications += 1;
                  roundSubmitter = null;
                  roundVerifier = null;
                  break;
                case 'closed':
                  stats.closed += 1;
                  expect(task.state).toBe('verified');
                  expect(roundSubmitter).not.toBeNull();
                  expect(roundVerifier).not.toBeNull();
                  expect(roundVerifier).not.toBe(roundSubmitter);
                  expect(event.actorId).not.toBe(roundSubmitter);
                  expect(event.actorId).not.toBe(roundVerifier);
                  expect(event.actorId).not.toBe(task.responsibleUserId);
                  break;
                case 'reopened':
                  stats.reopened += 1;
                  roundSubmitter = null;
                  roundVerifier = null;
                  break;
                case 'extension_approved':
                  stats.extensionsApproved += 1;
                  expect(event.data.oldDueAt).toEqual(task.dueAt);
                  expect(event.data.newDueAt).toEqual(next.dueAt);
                  expect(event.data.newDueAt.getTime()).toBeGreaterThan(
                    event.data.oldDueAt.getTime(),
                  );
                  break;
                case 'extension_requested':
                  expect(now.getTime()).toBeLessThan(task.dueAt?.getTime() ?? -Infinity);
                  break;
                default:
                  break;
              }
            }
            // The snapshot's round fields match the history.
            expect(next.lastSubmittedBy).toBe(roundSubmitter);
            expect(next.lastVerifiedBy).toBe(roundVerifier);
            // Only an approved extension or a reopening moves the deadline.
            if (next.dueAt?.getTime() !== task.dueAt?.getTime()) {
              expect(
                result.events.some((e) => e.type === 'extension_approved' || e.type === 'reopened'),
              ).toBe(true);
            }
            task = deepFreeze(next);
          }
        },
      ),
      { numRuns: 200 },
    );

    // The property is not vacuous: the interesting paths were taken many times.
    expect(stats.closed).toBeGreaterThan(50);
    expect(stats.reopened).toBeGreaterThan(20);
    expect(stats.failedVerifications).toBeGreaterThan(20);
    expect(stats.extensionsApproved).toBeGreaterThan(2);
    for (const code of ['forbidden', 'invalid_state', 'invalid_input'] as const) {
      expect(stats.refusals[code]).toBeGreaterThan(50);
    }
  });
});

function checkEvent(
  event: DomainEvent,
  before: TaskSnapshot,
  after: TaskSnapshot,
  actorId: string,
  now: Date,
): void {
  expect(event.taskId).toBe(before.id);
  expect(event.actorId).toBe(actorId);
  expect(event.at).toEqual(now);
  if ('from' in event) {
    expect(event.from).toBe(before.state);
    expect(event.to).toBe(after.state);
  } else {
    // Progress, checks and extension requests and decisions never change the state.
    expect(after.state).toBe<TaskState>(before.state);
  }
}
