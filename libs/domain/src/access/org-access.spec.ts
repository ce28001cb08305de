import { checkChildKind, isValidTimeZone } from '../orgs/org-kind';
import {
  holdsRoleOver,
  isAdministrator,
  isWithin,
  mayAssignRole,
  mayCreateOrg,
  mayCreateUser,
} from './org-access';
import type { Actor, OrgRef, Role } from './roles';

const county: OrgRef = { id: 'c', path: ['c'] };
const general: OrgRef = { id: 'g', path: ['c', 'g'] };
const branchA: OrgRef = { id: 'a', path: ['c', 'g', 'a'] };
const branchB: OrgRef = { id: 'b', path: ['c', 'g', 'b'] };

const actor = (grants: [OrgRef, Role][], systemAdmin = false): Actor => ({
  userId: 'u',
  systemAdmin,
  grants: grants.map(([org, role]) => ({ org, role })),
});

describe('org access rules (一级抓一级)', () => {
  it('sees down the tree, never sideways or up', () => {
    expect(isWithin(branchA, 'c')).toBe(true);
    expect(isWithin(branchA, 'a')).toBe(true);
    expect(isWithin(branchB, 'a')).toBe(false);
    expect(isWithin(general, 'a')).toBe(false);
    const secretaryA = actor([[branchA, 'secretary']]);
    expect(holdsRoleOver(secretaryA, branchA, ['secretary'])).toBe(true);
    expect(holdsRoleOver(secretaryA, branchA, ['secretary'], { strictlyAbove: true })).toBe(false);
    expect(holdsRoleOver(secretaryA, branchB, ['secretary'])).toBe(false);
  });

  it('lets only the system administrator create a top-level org', () => {
    expect(mayCreateOrg(actor([], true), null)).toEqual({ allowed: true });
    expect(mayCreateOrg(actor([[county, 'secretary']]), null)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/top-level/),
    });
  });

  it('lets a secretary or admin create orgs under their own, and nobody else', () => {
    expect(mayCreateOrg(actor([[branchA, 'secretary']]), branchA).allowed).toBe(true);
    expect(mayCreateOrg(actor([[county, 'admin']]), branchB).allowed).toBe(true);
    expect(mayCreateOrg(actor([[branchA, 'secretary']]), branchB).allowed).toBe(false);
    expect(mayCreateOrg(actor([[county, 'supervisor']]), branchA).allowed).toBe(false);
  });

  it('lets a secretary assign roles strictly below their org, never admin; an admin anything in scope', () => {
    const secretaryG = actor([[general, 'secretary']]);
    expect(mayAssignRole(secretaryG, branchA, 'member').allowed).toBe(true);
    expect(mayAssignRole(secretaryG, general, 'deputy').allowed).toBe(false);
    expect(mayAssignRole(secretaryG, branchA, 'admin')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/admin/),
    });
    expect(mayAssignRole(actor([[general, 'admin']]), general, 'admin').allowed).toBe(true);
    expect(mayAssignRole(actor([[branchA, 'admin']]), branchB, 'member').allowed).toBe(false);
  });

  it('knows administrators', () => {
    expect(isAdministrator(actor([], true))).toBe(true);
    expect(isAdministrator(actor([[branchA, 'admin']]))).toBe(true);
    expect(isAdministrator(actor([[county, 'secretary']]))).toBe(false);
    expect(mayCreateUser(actor([[county, 'secretary']])).allowed).toBe(false);
  });
});

describe('the shape of the tree', () => {
  it.each([
    [null, 'committee', true],
    [null, 'branch', false],
    ['committee', 'general_branch', true],
    ['general_branch', 'branch', true],
    ['branch', 'group', true],
    ['branch', 'committee', false],
    ['group', 'group', false],
  ] as const)('%s → %s allowed: %s', (parent, child, ok) => {
    expect(checkChildKind(parent, child).ok).toBe(ok);
  });

  it('checks IANA time zones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
