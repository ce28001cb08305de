import type { Actor } from './roles';
import { mayManageUser } from './user-admin';

const county = { id: 'c', path: ['c'] };
const town = { id: 't', path: ['c', 't'] };
const other = { id: 'o', path: ['o'] };

const actor = (grants: Actor['grants'], systemAdmin = false, userId = 'me'): Actor => ({
  userId,
  systemAdmin,
  grants,
});

describe('mayManageUser', () => {
  const townAdmin = actor([{ org: town, role: 'admin' }]);

  it('lets the system administrator change anyone, but not disable themselves', () => {
    const sys = actor([], true);
    expect(mayManageUser(sys, { id: 'x', systemAdmin: false, orgs: [other] }).allowed).toBe(true);
    expect(mayManageUser(sys, { id: 'me', systemAdmin: true, orgs: [] }).allowed).toBe(true);
    expect(
      mayManageUser(sys, { id: 'me', systemAdmin: true, orgs: [] }, { disabling: true }).allowed,
    ).toBe(false);
  });

  it('lets an org admin change accounts whose roles are all in their subtree', () => {
    expect(mayManageUser(townAdmin, { id: 'x', systemAdmin: false, orgs: [town] }).allowed).toBe(
      true,
    );
    expect(mayManageUser(townAdmin, { id: 'x', systemAdmin: false, orgs: [] }).allowed).toBe(true);
    expect(
      mayManageUser(townAdmin, { id: 'x', systemAdmin: false, orgs: [town, county] }).allowed,
    ).toBe(false);
  });

  it('never lets an org admin change the system administrator, nor a non-admin anybody', () => {
    expect(mayManageUser(townAdmin, { id: 's', systemAdmin: true, orgs: [] }).allowed).toBe(false);
    const secretary = actor([{ org: county, role: 'secretary' }]);
    expect(mayManageUser(secretary, { id: 'x', systemAdmin: false, orgs: [town] }).allowed).toBe(
      false,
    );
  });
});
