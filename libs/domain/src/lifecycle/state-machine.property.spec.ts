import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { Actor, OrgRef, ROLES, Role } from '../access/roles';
import { applyCommand, availableActions, TASK_ACTIONS, TaskAction, TaskCommand } from './commands';
import {
  ACTING_EVENT_TYPES,
  CaseParties,
  caseDeciders,
  RoleHolder,
  whyNotDecideCase,
} from './conflicts';
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

/** The state of a task: everything but its version and the record of who acted on it. */
const withoutVersion = ({ version: _v, actedBy: _a, ...rest }: TaskSnapshot) => rest;

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
            if (!changed) expect(withoutVersion(next)).toEqual(withoutVersion(task));
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

// ---------------------------------------------------------------------------------------------
// Conflicts of interest over random worlds: random org trees, random role assignments (several
// roles per person, in several orgs), random tasks in them, random command sequences.

interface World {
  orgs: OrgRef[];
  people: Actor[];
  holders: RoleHolder[];
}

/** Up to 7 orgs, each below an earlier one (or a second root); up to 8 people, 0–4 roles each. */
const world: fc.Arbitrary<World> = fc
  .record({
    parents: fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 1, maxLength: 6 }),
    grants: fc.array(
      fc.array(fc.record({ org: fc.nat(), role: fc.constantFrom(...ROLES) }), { maxLength: 4 }),
      { minLength: 2, maxLength: 8 },
    ),
  })
  .map(({ parents, grants }) => {
    const orgs: OrgRef[] = [{ id: 'o0', path: ['o0'] }];
    parents.forEach((p, i) => {
      const id = `o${i + 1}`;
      // A parent among the orgs made so far; -1 (now and then) starts a second tree.
      const parent = p < 0 ? null : orgs[p % orgs.length];
      orgs.push({ id, path: parent ? [...parent.path, id] : [id] });
    });
    const holders: RoleHolder[] = [];
    const people = grants.map((gs, i) => {
      const userId = `u${i}`;
      const mine = gs.map((g) => ({ org: orgs[g.org % orgs.length], role: g.role as Role }));
      for (const g of mine) holders.push({ userId, org: g.org, role: g.role });
      return { userId, systemAdmin: false, grants: mine } as Actor;
    });
    return { orgs, people, holders };
  });

const holdsAnyRoleIn = (a: Actor, org: OrgRef) => a.grants.some((g) => g.org.id === org.id);

const conflictStats = {
  verifications: 0,
  closures: 0,
  checks: 0,
  conflictRefusals: 0,
  decidable: 0,
  fallbacks: 0,
  conflictedDeciders: 0,
};

describe('conflicts of interest under random org trees, roles and command sequences', () => {
  it('no verification, closure, check or case decision is ever made by a conflicted person', () => {
    fc.assert(
      fc.property(
        world,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }),
        (w, raisingPick, responsiblePick, personPick, subjectPicks, steps) => {
          const raisingOrg = w.orgs[raisingPick % w.orgs.length];
          const below = w.orgs.filter((o) => o.path.includes(raisingOrg.id));
          const responsibleOrg = below[responsiblePick % below.length];
          // The responsible person holds a role there when anyone does (as assignTask demands).
          const there = w.people.filter((p) => holdsAnyRoleIn(p, responsibleOrg));
          const pool = there.length > 0 ? there : w.people;
          const responsibleUserId = pool[personPick % pool.length].userId;
          let task: TaskSnapshot = deepFreeze(
            newTask({ raisingOrg, responsibleOrg, responsibleUserId, leaderUserId: null }),
          );
          let now = T0;
          // Who acted, as the events tell it, independent of the snapshot's own record.
          const acted = new Set<string>();

          for (const s of steps) {
            now = new Date(now.getTime() + s.advanceHours * 3_600_000);
            const allowed = w.people.flatMap((p) =>
              availableActions(task, p, now).map((a) => [p, a] as const),
            );
            const [actor, action] =
              s.guided && allowed.length > 0
                ? allowed[s.pick % allowed.length]
                : [w.people[s.pick % w.people.length], s.action];
            const available = availableActions(task, actor, now);
            const result = applyCommand(task, actor, commandFor(action, s), now);
            if (!result.ok) {
              if (result.errorCode === 'conflict_of_interest') {
                conflictStats.conflictRefusals += 1;
                expect(result.code).toBe('forbidden');
                expect(result.reason).toMatch(/^无权(验收|销号|督查)：/);
              }
              expect(available.includes(action)).toBe(result.code === 'invalid_input');
              continue;
            }
            expect(available).toContain(action);
            for (const event of result.events) {
              if (ACTING_EVENT_TYPES.includes(event.type)) acted.add(event.actorId);
              const judging =
                event.type === 'verification_passed' ||
                event.type === 'verification_failed' ||
                event.type === 'closed' ||
                event.type === 'check_recorded';
              if (!judging) continue;
              if (event.type === 'closed') conflictStats.closures += 1;
              else if (event.type === 'check_recorded') conflictStats.checks += 1;
              else conflictStats.verifications += 1;
              // The judge never did the work, is not its responsible person, and holds no
              // role in its responsible org.
              expect(acted.has(event.actorId)).toBe(false);
              expect(event.actorId).not.toBe(task.responsibleUserId);
              expect(holdsAnyRoleIn(actor, task.responsibleOrg)).toBe(false);
            }
            // The snapshot's record matches the history.
            expect(new Set(result.task.actedBy)).toEqual(acted);
            task = deepFreeze(result.task);
          }

          // An accountability case on this task: its subjects are some of the people.
          const c: CaseParties = {
            raisingOrg,
            subjectOrg: responsibleOrg,
            subjectUserIds: [
              responsibleUserId,
              ...subjectPicks.map((i) => w.people[i % w.people.length].userId),
            ],
          };
          const mayDecide = w.people.filter((p) => whyNotDecideCase(p, c) === null);
          for (const p of w.people) {
            const refusal = whyNotDecideCase(p, c);
            const conflicted =
              c.subjectUserIds.includes(p.userId) || holdsAnyRoleIn(p, c.subjectOrg);
            if (conflicted) {
              expect(refusal).not.toBeNull();
              if (refusal?.code === 'conflict_of_interest') conflictStats.conflictedDeciders += 1;
            }
          }
          // Whoever is expected to decide may, and someone is expected exactly when anyone may.
          const deciders = caseDeciders(c, w.holders);
          expect(deciders === null).toBe(mayDecide.length === 0);
          if (deciders) {
            conflictStats.decidable += 1;
            for (const id of deciders.userIds) {
              expect(mayDecide.map((p) => p.userId)).toContain(id);
            }
            const freeAtRaising = mayDecide.filter((p) =>
              p.grants.some(
                (g) =>
                  g.org.id === raisingOrg.id && (g.role === 'secretary' || g.role === 'discipline'),
              ),
            );
            if (freeAtRaising.length > 0) {
              expect(deciders.orgId).toBe(raisingOrg.id);
            } else {
              // The next org up with someone free in the discipline role, and nobody nearer.
              conflictStats.fallbacks += 1;
              const up = [...raisingOrg.path].reverse().slice(1);
              const nearest = up.find((orgId) =>
                mayDecide.some((p) =>
                  p.grants.some((g) => g.org.id === orgId && g.role === 'discipline'),
                ),
              );
              expect(deciders.orgId).toBe(nearest);
            }
          }
        },
      ),
      // A fixed seed: the coverage figures below are the same on every run (with this seed: 189
      // verifications, 36 closures, 255 conflicts refused, 35 fallbacks; with a random seed,
      // closures once came out at the threshold). Change it to explore other worlds.
      { numRuns: 300, seed: 20261201 },
    );

    // Not vacuous: people judged, conflicts were refused, cases fell back up the tree.
    expect(conflictStats.verifications).toBeGreaterThan(50);
    expect(conflictStats.closures).toBeGreaterThan(10);
    expect(conflictStats.checks).toBeGreaterThan(50);
    expect(conflictStats.conflictRefusals).toBeGreaterThan(20);
    expect(conflictStats.decidable).toBeGreaterThan(20);
    expect(conflictStats.fallbacks).toBeGreaterThan(2);
    expect(conflictStats.conflictedDeciders).toBeGreaterThan(5);
  });
});
