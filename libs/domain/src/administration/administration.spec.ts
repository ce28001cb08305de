import type { Actor, OrgRef } from '../access/roles';
import {
  mayAdministerOrg,
  mayEditProblem,
  mayReassignTask,
  mayRevokeRole,
  mayWithdrawProblem,
  reasonError,
  roleOfText,
} from './administration';

const county: OrgRef = { id: 'c', path: ['c'] };
const town: OrgRef = { id: 't', path: ['c', 't'] };
const branch: OrgRef = { id: 'b', path: ['c', 't', 'b'] };
const other: OrgRef = { id: 'o', path: ['c', 'o'] };

const actor = (grants: Actor['grants'], systemAdmin = false, userId = 'me'): Actor => ({
  userId,
  systemAdmin,
  grants,
});

describe('administration rules', () => {
  it('requires a non-blank reason of at most 500 characters', () => {
    expect(reasonError(undefined)).toMatch(/理由/);
    expect(reasonError('  ')).toMatch(/理由/);
    expect(reasonError('x'.repeat(501))).toMatch(/500/);
    expect(reasonError('错派')).toBeNull();
  });

  it('lets whoever may grant a role revoke it, but nobody their own admin role', () => {
    const townAdmin = actor([{ org: town, role: 'admin' }]);
    expect(mayRevokeRole(townAdmin, branch, 'secretary', 'x').allowed).toBe(true);
    expect(mayRevokeRole(townAdmin, town, 'admin', 'me').allowed).toBe(false);
    expect(mayRevokeRole(townAdmin, other, 'member', 'x').allowed).toBe(false);
    const townSecretary = actor([{ org: town, role: 'secretary' }]);
    expect(mayRevokeRole(townSecretary, branch, 'member', 'x').allowed).toBe(true);
    expect(mayRevokeRole(townSecretary, branch, 'admin', 'x').allowed).toBe(false);
    expect(mayRevokeRole(townSecretary, town, 'member', 'x').allowed).toBe(false);
  });

  it('lets an admin over an org, or a secretary above it, rename or deactivate it', () => {
    expect(mayAdministerOrg(actor([], true), county).allowed).toBe(true);
    expect(mayAdministerOrg(actor([{ org: town, role: 'admin' }]), town).allowed).toBe(true);
    expect(mayAdministerOrg(actor([{ org: town, role: 'secretary' }]), branch).allowed).toBe(true);
    expect(mayAdministerOrg(actor([{ org: town, role: 'secretary' }]), town).allowed).toBe(false);
    expect(mayAdministerOrg(actor([{ org: town, role: 'admin' }]), other).allowed).toBe(false);
  });

  it('reassigns open measures only, within the problem’s org subtree, by the raising org', () => {
    const sup = actor([{ org: county, role: 'supervisor' }]);
    const base = {
      raisingOrg: county,
      problemOrg: town,
      state: 'assigned' as const,
      withdrawn: false,
    };
    expect(mayReassignTask(sup, { ...base, newResponsibleOrg: branch }).allowed).toBe(true);
    expect(mayReassignTask(sup, { ...base, newResponsibleOrg: other })).toMatchObject({
      allowed: false,
      code: 'responsible_org_outside_problem',
    });
    expect(mayReassignTask(sup, { ...base, state: 'closed' })).toMatchObject({
      allowed: false,
      code: 'task_not_open',
    });
    expect(mayReassignTask(sup, { ...base, withdrawn: true })).toMatchObject({
      allowed: false,
      code: 'problem_withdrawn',
    });
    const branchSecretary = actor([{ org: branch, role: 'secretary' }]);
    expect(mayReassignTask(branchSecretary, base).allowed).toBe(false);
  });

  it('lets the raising org edit a problem, and its secretary, deputy or admin withdraw it', () => {
    const sup = actor([{ org: county, role: 'supervisor' }]);
    const dep = actor([{ org: county, role: 'deputy' }]);
    expect(mayEditProblem(sup, county, false).allowed).toBe(true);
    expect(mayEditProblem(sup, county, true).allowed).toBe(false);
    expect(mayEditProblem(actor([{ org: town, role: 'secretary' }]), county, false).allowed).toBe(
      false,
    );
    const open = { withdrawn: false, closed: false };
    expect(mayWithdrawProblem(dep, county, open).allowed).toBe(true);
    expect(mayWithdrawProblem(sup, county, open).allowed).toBe(false);
    expect(mayWithdrawProblem(dep, county, { withdrawn: true, closed: false }).allowed).toBe(false);
    expect(mayWithdrawProblem(dep, county, { withdrawn: false, closed: true }).allowed).toBe(false);
  });

  it('reads roles by Chinese label or code', () => {
    expect(roleOfText('书记')).toBe('secretary');
    expect(roleOfText(' 督查员 ')).toBe('supervisor');
    expect(roleOfText('Deputy')).toBe('deputy');
    expect(roleOfText('管理员')).toBe('admin');
    expect(roleOfText('主任')).toBeNull();
  });
});
