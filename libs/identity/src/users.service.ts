import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actor, CLOCK, type Clock, mayCreateUser, Role } from '#duban/domain';
import { UserEntity } from '#duban/persistence';
import { conflict, forbidden, isUniqueViolation } from '#duban/domain';
import { PasswordHasher } from './password-hasher';

export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  email?: string;
  phone?: string;
}

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  systemAdmin: boolean;
  createdAt: string;
}

export interface MeView extends UserView {
  roles: { orgId: string | null; orgName: string | null; role: Role }[];
}

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    phone: u.phone,
    systemAdmin: u.systemAdmin,
    createdAt: u.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
  ) {}

  async create(actor: Actor, input: NewUser): Promise<UserView> {
    const decision = mayCreateUser(actor);
    if (!decision.allowed) throw forbidden(decision.reason);
    return this.insert(input, false);
  }

  /** Creates the first administrator when there is none; returns whether it did. */
  async ensureSystemAdmin(username: string, password: string): Promise<boolean> {
    const existing = await this.db.query('SELECT 1 FROM users WHERE system_admin LIMIT 1');
    if (existing.length > 0) return false;
    try {
      await this.insert({ username, displayName: '系统管理员', password }, true);
      return true;
    } catch (e) {
      // Another api instance created it at the same moment.
      if (e instanceof Error && /already taken/.test(e.message)) return false;
      throw e;
    }
  }

  private async insert(input: NewUser, systemAdmin: boolean): Promise<UserView> {
    const user = this.db.getRepository(UserEntity).create({
      id: randomUUID(),
      username: input.username,
      displayName: input.displayName,
      passwordHash: await this.hasher.hash(input.password),
      email: input.email ?? null,
      phone: input.phone ?? null,
      systemAdmin,
      active: true,
      createdAt: this.clock.now(),
    });
    try {
      await this.db.getRepository(UserEntity).insert(user);
    } catch (e) {
      if (isUniqueViolation(e))
        throw conflict(`username "${input.username}" is already taken`, 'username');
      throw e;
    }
    return toUserView(user);
  }

  /** The user and password hash for a login attempt (case-insensitive username). */
  async findForLogin(username: string): Promise<(UserEntity & { passwordHash: string }) | null> {
    return this.db
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.username) = lower(:username) AND u.active', { username })
      .getOne() as Promise<(UserEntity & { passwordHash: string }) | null>;
  }

  async me(actor: Actor): Promise<MeView> {
    const user = await this.db.getRepository(UserEntity).findOneByOrFail({ id: actor.userId });
    const roles: { org_id: string; org_name: string; role: Role }[] = await this.db.query(
      `SELECT ra.org_id, o.name AS org_name, ra.role
         FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
        WHERE ra.user_id = $1 ORDER BY nlevel(o.path), o.name, ra.role`,
      [actor.userId],
    );
    return {
      ...toUserView(user),
      roles: [
        ...(user.systemAdmin ? [{ orgId: null, orgName: null, role: 'admin' as Role }] : []),
        ...roles.map((r) => ({ orgId: r.org_id, orgName: r.org_name, role: r.role })),
      ],
    };
  }
}
