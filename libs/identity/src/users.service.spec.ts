import type { DataSource, EntityManager } from 'typeorm';
import { type Actor, DomainError, type OrgRef, type Role } from '#duban/domain';
import type { UserEntity } from '#duban/persistence';
import type { PasswordHasher } from './password-hasher';
import type { RolesRepository } from './roles.repository';
import type { NewUserRecord, UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/*
 * UsersService's orchestration with in-memory repositories: which rule is asked, what is
 * written, in which transaction. The SQL itself is tested against PostgreSQL by the e2e suites
 * (auth, login-security, administration).
 */

const NOW = new Date('2026-12-02T03:00:00.000Z');
const COUNTY: OrgRef = { id: 'county', path: ['county'] };
const TOWN: OrgRef = { id: 'town', path: ['county', 'town'] };
const OTHER_COUNTY: OrgRef = { id: 'other', path: ['other'] };

const SYSTEM: Actor = { userId: 'system', systemAdmin: true, grants: [] };
const COUNTY_ADMIN: Actor = {
  userId: 'county-admin',
  systemAdmin: false,
  grants: [{ org: COUNTY, role: 'admin' as Role }],
};

const uniqueViolation = () => Object.assign(new Error('duplicate key'), { code: '23505' });

/** The transaction's manager is a token: the fakes check they were handed it. */
const TX = { tx: true } as unknown as EntityManager;
const OUTSIDE = { outside: true } as unknown as EntityManager;

class FakeUsers implements Partial<UsersRepository> {
  readonly rows = new Map<string, UserEntity & { passwordHash: string }>();
  readonly calls: { method: string; m: EntityManager }[] = [];
  insertError: Error | null = null;

  seed(u: Partial<UserEntity> & { id: string }): void {
    this.rows.set(u.id, {
      username: u.id,
      displayName: u.id,
      email: null,
      phone: null,
      systemAdmin: false,
      active: true,
      tokenGeneration: 0,
      createdAt: NOW,
      passwordHash: 'old-hash',
      ...u,
    });
  }

  async lock(m: EntityManager, userId: string) {
    this.calls.push({ method: 'lock', m });
    const row = this.rows.get(userId);
    return row ? { ...row } : null;
  }

  async save(m: EntityManager, user: UserEntity) {
    this.calls.push({ method: 'save', m });
    this.rows.set(user.id, { ...this.rows.get(user.id)!, ...user });
  }

  async setPasswordHash(m: EntityManager, userId: string, hash: string) {
    this.calls.push({ method: 'setPasswordHash', m });
    const row = this.rows.get(userId)!;
    this.rows.set(userId, {
      ...row,
      passwordHash: hash,
      tokenGeneration: row.tokenGeneration + 1,
    });
  }

  async anySystemAdmin() {
    return [...this.rows.values()].some((u) => u.systemAdmin);
  }

  async insert(m: EntityManager, u: NewUserRecord) {
    this.calls.push({ method: 'insert', m });
    if (this.insertError) throw this.insertError;
    this.seed({
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      passwordHash: u.passwordHash,
      systemAdmin: u.systemAdmin,
      createdAt: u.at,
    });
  }
}

class FakeRoles implements Partial<RolesRepository> {
  readonly orgsOf = new Map<string, OrgRef[]>();

  async liveOrgsOf(_m: EntityManager, userId: string) {
    return this.orgsOf.get(userId) ?? [];
  }
}

function setUp() {
  const users = new FakeUsers();
  const roles = new FakeRoles();
  let transactions = 0;
  const db = {
    manager: OUTSIDE,
    transaction: async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
      transactions++;
      return work(TX);
    },
  } as unknown as DataSource;
  const hasher = { hash: async (p: string) => `hashed:${p}` } as PasswordHasher;
  const service = new UsersService(
    db,
    { now: () => NOW },
    hasher,
    users as unknown as UsersRepository,
    roles as unknown as RolesRepository,
  );
  return { service, users, roles, transactions: () => transactions };
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

describe('UsersService.update (details and disabling)', () => {
  it('disabling revokes every token at once: inactive, next token generation, in one transaction', async () => {
    const { service, users, roles, transactions } = setUp();
    users.seed({ id: 'clerk', tokenGeneration: 3 });
    roles.orgsOf.set('clerk', [TOWN]);

    const view = await service.update(COUNTY_ADMIN, 'clerk', { disabled: true });

    expect(view.disabled).toBe(true);
    expect(users.rows.get('clerk')).toMatchObject({ active: false, tokenGeneration: 4 });
    expect(transactions()).toBe(1);
    expect(users.calls.map((c) => [c.method, c.m])).toEqual([
      ['lock', TX],
      ['save', TX],
    ]);
  });

  it('re-enabling keeps the token generation; disabling a disabled account changes nothing', async () => {
    const { service, users, roles } = setUp();
    users.seed({ id: 'clerk', active: false, tokenGeneration: 4 });
    roles.orgsOf.set('clerk', [TOWN]);

    await service.update(COUNTY_ADMIN, 'clerk', { disabled: true });
    expect(users.rows.get('clerk')).toMatchObject({ active: false, tokenGeneration: 4 });

    const view = await service.update(COUNTY_ADMIN, 'clerk', { disabled: false });
    expect(view.disabled).toBe(false);
    expect(users.rows.get('clerk')).toMatchObject({ active: true, tokenGeneration: 4 });
  });

  it('changes details and clears email with null, leaving what was not given', async () => {
    const { service, users } = setUp();
    users.seed({ id: 'clerk', email: 'a@b.cn', phone: '123', displayName: '旧名' });

    const view = await service.update(SYSTEM, 'clerk', { displayName: '新名', email: null });

    expect(view).toMatchObject({ displayName: '新名', email: null, phone: '123', disabled: false });
    expect(users.rows.get('clerk')).toMatchObject({ displayName: '新名', email: null });
  });

  it('refuses an org admin an account with a role outside their subtree, and writes nothing', async () => {
    const { service, users, roles } = setUp();
    users.seed({ id: 'clerk' });
    roles.orgsOf.set('clerk', [TOWN, OTHER_COUNTY]);

    const e = await refusal(service.update(COUNTY_ADMIN, 'clerk', { disabled: true }));

    expect(e.kind).toBe('forbidden');
    expect(users.calls.map((c) => c.method)).toEqual(['lock']);
    expect(users.rows.get('clerk')).toMatchObject({ active: true, tokenGeneration: 0 });
  });

  it('refuses anyone disabling their own account', async () => {
    const { service, users } = setUp();
    users.seed({ id: 'system', systemAdmin: true });

    const e = await refusal(service.update(SYSTEM, 'system', { disabled: true }));

    expect(e.kind).toBe('forbidden');
    expect(users.rows.get('system')!.active).toBe(true);
  });

  it('answers not found for an unknown user', async () => {
    const { service } = setUp();
    const e = await refusal(service.update(SYSTEM, 'nobody', { displayName: 'x' }));
    expect(e.kind).toBe('not_found');
    expect(e.code).toBe('user_not_found');
  });
});

describe('UsersService.setPassword (an administrator resets a password)', () => {
  it('stores the new hash, which moves the token generation on, inside the transaction', async () => {
    const { service, users, roles } = setUp();
    users.seed({ id: 'clerk', tokenGeneration: 1 });
    roles.orgsOf.set('clerk', [TOWN]);

    await service.setPassword(COUNTY_ADMIN, 'clerk', 'a-new-password-1');

    expect(users.rows.get('clerk')).toMatchObject({
      passwordHash: 'hashed:a-new-password-1',
      tokenGeneration: 2,
    });
    expect(users.calls.map((c) => [c.method, c.m])).toEqual([
      ['lock', TX],
      ['setPasswordHash', TX],
    ]);
  });

  it("never lets an org admin reset the system administrator's password", async () => {
    const { service, users } = setUp();
    users.seed({ id: 'root', systemAdmin: true });

    const e = await refusal(service.setPassword(COUNTY_ADMIN, 'root', 'a-new-password-1'));

    expect(e.kind).toBe('forbidden');
    expect(users.rows.get('root')!.passwordHash).toBe('old-hash');
  });
});

describe('UsersService.ensureSystemAdmin', () => {
  it('creates the first administrator when there is none', async () => {
    const { service, users } = setUp();

    expect(await service.ensureSystemAdmin('root', 'a-long-password')).toBe(true);

    const [created] = [...users.rows.values()];
    expect(created).toMatchObject({
      username: 'root',
      displayName: '系统管理员',
      systemAdmin: true,
      passwordHash: 'hashed:a-long-password',
    });
  });

  it('does nothing when one exists', async () => {
    const { service, users } = setUp();
    users.seed({ id: 'first', systemAdmin: true });

    expect(await service.ensureSystemAdmin('root', 'a-long-password')).toBe(false);
    expect(users.calls.filter((c) => c.method === 'insert')).toEqual([]);
  });

  it('answers false when another instance created the same name at the same moment', async () => {
    const { service, users } = setUp();
    users.insertError = uniqueViolation();

    expect(await service.ensureSystemAdmin('root', 'a-long-password')).toBe(false);
  });
});

describe('UsersService.create', () => {
  it('turns a taken username into a conflict on the username field', async () => {
    const { service, users } = setUp();
    users.insertError = uniqueViolation();

    const e = await refusal(
      service.create(SYSTEM, {
        username: 'clerk',
        displayName: '办事员',
        password: 'x'.repeat(12),
      }),
    );

    expect(e.kind).toBe('conflict');
    expect(e.field).toBe('username');
  });

  it('answers the created account as the api shows it', async () => {
    const { service } = setUp();

    const view = await service.create(SYSTEM, {
      username: 'clerk',
      displayName: '办事员',
      password: 'x'.repeat(12),
      email: 'clerk@example.cn',
    });

    expect(view).toEqual({
      id: expect.any(String),
      username: 'clerk',
      displayName: '办事员',
      email: 'clerk@example.cn',
      phone: null,
      systemAdmin: false,
      disabled: false,
      createdAt: NOW.toISOString(),
    });
  });
});
