import type { DataSource, EntityManager } from 'typeorm';
import { type Actor, DomainError, type OrgRef, type Role } from '#duban/domain';
import type { NewOrgRecord, OrgsRepository, OrgView } from './orgs.repository';
import type { NewGrant, RolesRepository } from './roles.repository';
import { OrgsService } from './orgs.service';
import type { UsersRepository } from './users.repository';

/*
 * OrgsService's orchestration with in-memory repositories: scope first (a hidden org is "not
 * found"), then the access rule, then the write. The SQL is tested against PostgreSQL by the
 * e2e suites (orgs-scope, administration).
 */

const NOW = new Date('2026-12-02T03:00:00.000Z');
const MANAGER = { manager: true } as unknown as EntityManager;

const org = (id: string, path: string[], kind: OrgView['kind'], timeZone = 'Asia/Shanghai') =>
  ({
    id,
    name: id,
    kind,
    parentId: path.length > 1 ? path[path.length - 2] : null,
    path,
    depth: path.length,
    timeZone,
    childCount: 0,
    active: true,
    createdAt: NOW.toISOString(),
  }) satisfies OrgView;

const COUNTY = org('county', ['county'], 'committee', 'Asia/Urumqi');
const TOWN = org('town', ['county', 'town'], 'committee');
const BRANCH = org('branch', ['county', 'town', 'branch'], 'branch');
const ref = (o: OrgView): OrgRef => ({ id: o.id, path: o.path });

const SYSTEM: Actor = { userId: 'system', systemAdmin: true, grants: [] };
const TOWN_SECRETARY: Actor = {
  userId: 'secretary',
  systemAdmin: false,
  grants: [{ org: ref(TOWN), role: 'secretary' as Role }],
};

const uniqueViolation = () => Object.assign(new Error('duplicate key'), { code: '23505' });

class FakeOrgs implements Partial<OrgsRepository> {
  readonly rows = new Map([COUNTY, TOWN, BRANCH].map((o) => [o.id, o]));
  readonly inserted: NewOrgRecord[] = [];
  insertError: Error | null = null;

  async findInScope(m: EntityManager, actor: Actor, id: string) {
    expect(m).toBe(MANAGER);
    const o = this.rows.get(id);
    const visible = o && (actor.systemAdmin || actor.grants.some((g) => o.path.includes(g.org.id)));
    return visible ? o : null;
  }

  async insert(_m: EntityManager, o: NewOrgRecord) {
    if (this.insertError) throw this.insertError;
    this.inserted.push(o);
    this.rows.set(o.id, {
      ...org(o.id, [...o.path], o.kind, o.timeZone),
      name: o.name,
      parentId: o.parentId,
    });
  }
}

class FakeRoles implements Partial<RolesRepository> {
  readonly inserted: NewGrant[] = [];
  insertError: Error | null = null;

  async insert(_m: EntityManager, g: NewGrant) {
    if (this.insertError) throw this.insertError;
    this.inserted.push(g);
  }
}

class FakeUsers implements Partial<UsersRepository> {
  readonly active = new Set(['clerk']);

  async isActive(_m: EntityManager, userId: string) {
    return this.active.has(userId);
  }
}

function setUp() {
  const orgs = new FakeOrgs();
  const roles = new FakeRoles();
  const users = new FakeUsers();
  const service = new OrgsService(
    { manager: MANAGER } as unknown as DataSource,
    { now: () => NOW },
    orgs as unknown as OrgsRepository,
    roles as unknown as RolesRepository,
    users as unknown as UsersRepository,
  );
  return { service, orgs, roles, users };
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

describe('OrgsService.create', () => {
  it("places the new org under its parent, in the parent's time zone by default", async () => {
    const { service, orgs } = setUp();

    const created = await service.create(SYSTEM, {
      name: '新乡镇',
      kind: 'committee',
      parentId: 'county',
    });

    expect(orgs.inserted).toEqual([
      {
        id: created.id,
        name: '新乡镇',
        kind: 'committee',
        parentId: 'county',
        path: ['county', created.id],
        timeZone: 'Asia/Urumqi',
        at: NOW,
      },
    ]);
    expect(created).toMatchObject({ name: '新乡镇', path: ['county', created.id], depth: 2 });
  });

  it('answers "not found" for a parent outside the scope, before asking any rule', async () => {
    const { service, orgs } = setUp();
    orgs.rows.set('elsewhere', org('elsewhere', ['elsewhere'], 'committee'));

    const e = await refusal(
      service.create(TOWN_SECRETARY, { name: 'x', kind: 'branch', parentId: 'elsewhere' }),
    );

    expect(e.kind).toBe('not_found');
    expect(orgs.inserted).toEqual([]);
  });

  it('refuses a kind that cannot sit under the parent, and a time zone that is not one', async () => {
    const { service, orgs } = setUp();

    const kind = await refusal(
      service.create(SYSTEM, { name: 'x', kind: 'committee', parentId: 'branch' }),
    );
    const zone = await refusal(
      service.create(SYSTEM, {
        name: 'x',
        kind: 'branch',
        parentId: 'town',
        timeZone: 'Mars/Base',
      }),
    );

    expect([kind.kind, kind.field]).toEqual(['invalid', 'kind']);
    expect([zone.kind, zone.field]).toEqual(['invalid', 'timeZone']);
    expect(orgs.inserted).toEqual([]);
  });

  it('turns a sibling with the same name into a conflict on the name', async () => {
    const { service, orgs } = setUp();
    orgs.insertError = uniqueViolation();

    const e = await refusal(
      service.create(SYSTEM, { name: 'town', kind: 'committee', parentId: 'county' }),
    );

    expect([e.kind, e.field]).toEqual(['conflict', 'name']);
  });
});

describe('OrgsService.assignRole', () => {
  it('lets a secretary grant a role below their org, recorded as granted by them', async () => {
    const { service, roles } = setUp();

    const view = await service.assignRole(TOWN_SECRETARY, 'branch', 'clerk', 'member');

    expect(roles.inserted).toEqual([
      {
        id: view.id,
        userId: 'clerk',
        orgId: 'branch',
        role: 'member',
        grantedBy: 'secretary',
        at: NOW,
      },
    ]);
    expect(view).toMatchObject({ grantedBy: 'secretary', createdAt: NOW.toISOString() });
  });

  it('refuses a secretary the admin role, and a role in their own org', async () => {
    const { service, roles } = setUp();

    const admin = await refusal(service.assignRole(TOWN_SECRETARY, 'branch', 'clerk', 'admin'));
    const own = await refusal(service.assignRole(TOWN_SECRETARY, 'town', 'clerk', 'member'));

    expect([admin.kind, own.kind]).toEqual(['forbidden', 'forbidden']);
    expect(roles.inserted).toEqual([]);
  });

  it('answers "not found" for a user who does not exist or is disabled', async () => {
    const { service, roles } = setUp();

    const e = await refusal(service.assignRole(SYSTEM, 'branch', 'ghost', 'member'));

    expect(e.kind).toBe('not_found');
    expect(roles.inserted).toEqual([]);
  });

  it('turns a role held already into a conflict', async () => {
    const { service, roles } = setUp();
    roles.insertError = uniqueViolation();

    const e = await refusal(service.assignRole(SYSTEM, 'branch', 'clerk', 'member'));

    expect(e.kind).toBe('conflict');
  });
});
