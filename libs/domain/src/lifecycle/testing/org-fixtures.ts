import { Actor, OrgRef, Role } from '../../access/roles';
import { TaskSnapshot } from '../task';

/**
 * A small fixed org tree and cast for the lifecycle tests:
 *
 *   prov (省委)
 *   ├── cmt (党委, raises the problems)
 *   │   └── gb (党总支)
 *   │       └── br (党支部, the responsible unit)
 *   └── cmt2 (a sibling committee: no authority over cmt's tasks)
 */

const org = (...path: string[]): OrgRef => ({ id: path[path.length - 1], path });

export const ORGS = {
  prov: org('prov'),
  cmt: org('prov', 'cmt'),
  cmt2: org('prov', 'cmt2'),
  gb: org('prov', 'cmt', 'gb'),
  br: org('prov', 'cmt', 'gb', 'br'),
} as const;

const actor = (userId: string, ...grants: [OrgRef, Role][]): Actor => ({
  userId,
  systemAdmin: false,
  grants: grants.map(([o, role]) => ({ org: o, role })),
});

export const USERS = {
  /** The responsible person (责任人), a member of the branch. */
  resp: actor('resp', [ORGS.br, 'member']),
  brMember: actor('brMember', [ORGS.br, 'member']),
  brSec: actor('brSec', [ORGS.br, 'secretary']),
  gbSec: actor('gbSec', [ORGS.gb, 'secretary']),
  cmtSec: actor('cmtSec', [ORGS.cmt, 'secretary']),
  cmtDep: actor('cmtDep', [ORGS.cmt, 'deputy']),
  cmtSup: actor('cmtSup', [ORGS.cmt, 'supervisor']),
  cmtMember: actor('cmtMember', [ORGS.cmt, 'member']),
  cmtDiscipline: actor('cmtDiscipline', [ORGS.cmt, 'discipline']),
  provSec: actor('provSec', [ORGS.prov, 'secretary']),
  provSup: actor('provSup', [ORGS.prov, 'supervisor']),
  cmt2Sec: actor('cmt2Sec', [ORGS.cmt2, 'secretary']),
  /** Secretary of the branch and deputy of the committee: could do and judge the same work. */
  dual: actor('dual', [ORGS.br, 'secretary'], [ORGS.cmt, 'deputy']),
  admin: { userId: 'admin', systemAdmin: true, grants: [] } as Actor,
} as const;

export type UserName = keyof typeof USERS;

export const T0 = new Date('2026-09-01T00:00:00.000Z');
export const DAY = 86_400_000;
export const later = (days: number, from: Date = T0) => new Date(from.getTime() + days * DAY);

export function newTask(over: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    id: 'task-1',
    state: 'assigned',
    version: 1,
    dueAt: later(30),
    mode: 'deadline',
    raisingOrg: ORGS.cmt,
    responsibleOrg: ORGS.br,
    responsibleUserId: 'resp',
    leaderUserId: 'gbSec',
    lastSubmittedBy: null,
    lastVerifiedBy: null,
    pendingExtension: null,
    actedBy: [],
    ...over,
  };
}

/** Freezes a value and everything inside it, so any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
