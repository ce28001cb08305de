import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Actor,
  CLOCK,
  type Clock,
  mayCreateUser,
  mayManageUser,
  Role,
  conflict,
  forbidden,
  isUniqueViolation,
  notFound,
} from '#duban/domain';
import type { UserEntity } from '#duban/persistence';
import { PasswordHasher } from './password-hasher';
import { RolesRepository } from './roles.repository';
import { UsersRepository } from './users.repository';

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
  disabled: boolean;
  createdAt: string;
}

/** PATCH /users/{id}: the fields given change; null clears email or phone. */
export interface UserChanges {
  displayName?: string;
  email?: string | null;
  phone?: string | null;
  disabled?: boolean;
}

export interface MeView extends UserView {
  roles: { orgId: string | null; orgName: string | null; role: Role }[];
  /** The service's clock when answering: forms check dates against it, as the server will. */
  now: string;
}

export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    phone: u.phone,
    systemAdmin: u.systemAdmin,
    disabled: !u.active,
    createdAt: u.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly users: UsersRepository,
    private readonly roles: RolesRepository,
  ) {}

  async create(actor: Actor, input: NewUser): Promise<UserView> {
    const decision = mayCreateUser(actor);
    if (!decision.allowed) throw forbidden(decision.reason);
    return this.insert(input, false);
  }

  /** Creates the first administrator when there is none; returns whether it did. */
  async ensureSystemAdmin(username: string, password: string): Promise<boolean> {
    if (await this.users.anySystemAdmin(this.db.manager)) return false;
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
    const user = {
      id: randomUUID(),
      username: input.username,
      displayName: input.displayName,
      passwordHash: await this.hasher.hash(input.password),
      email: input.email ?? null,
      phone: input.phone ?? null,
      systemAdmin,
      at: this.clock.now(),
    };
    try {
      await this.users.insert(this.db.manager, user);
    } catch (e) {
      if (isUniqueViolation(e))
        throw conflict(
          `用户名“${input.username}”已被使用 — username "${input.username}" is already taken`,
          'username',
        );
      throw e;
    }
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      email: user.email,
      phone: user.phone,
      systemAdmin,
      disabled: false,
      createdAt: user.at.toISOString(),
    };
  }

  /**
   * The active user and password hash for a login attempt. `lookup` is the name as
   * normaliseLoginName gives it (ASCII, lower case): it is compared with `lower(username)` as it
   * is, never lower-cased again in SQL, whose `lower()` differs from JavaScript's outside ASCII.
   */
  async findForLogin(lookup: string): Promise<(UserEntity & { passwordHash: string }) | null> {
    return this.users.findForLogin(this.db.manager, lookup);
  }

  /** PATCH: details, or disabling, which revokes every token of the user at once. */
  async update(actor: Actor, userId: string, changes: UserChanges): Promise<UserView> {
    return this.db.transaction(async (m) => {
      const user = await this.lockManaged(m, actor, userId, {
        disabling: changes.disabled === true,
      });
      if (changes.displayName !== undefined) user.displayName = changes.displayName;
      if (changes.email !== undefined) user.email = changes.email;
      if (changes.phone !== undefined) user.phone = changes.phone;
      if (changes.disabled !== undefined && changes.disabled === user.active) {
        user.active = !changes.disabled;
        if (changes.disabled) user.tokenGeneration += 1;
      }
      await this.users.save(m, user);
      return toUserView(user);
    });
  }

  /** An administrator sets someone's password; every token of theirs stops working. */
  async setPassword(actor: Actor, userId: string, password: string): Promise<void> {
    const hash = await this.hasher.hash(password);
    await this.db.transaction(async (m) => {
      await this.lockManaged(m, actor, userId);
      await this.users.setPasswordHash(m, userId, hash);
    });
  }

  /** The user row, locked, once the actor may manage it (404 when there is no such user). */
  private async lockManaged(
    m: EntityManager,
    actor: Actor,
    userId: string,
    change: { disabling?: boolean } = {},
  ): Promise<UserEntity> {
    const user = await this.users.lock(m, userId);
    if (!user) throw notFound('该用户不存在 — there is no user with this id', 'user_not_found');
    const decision = mayManageUser(
      actor,
      {
        id: user.id,
        systemAdmin: user.systemAdmin,
        orgs: await this.roles.liveOrgsOf(m, userId),
      },
      change,
    );
    if (!decision.allowed) throw forbidden(decision.reason);
    return user;
  }

  /** Logout of one token: refused from now on, on every api instance. */
  async revokeToken(userId: string, jti: string, expiresAt: Date): Promise<void> {
    await this.users.revokeToken(this.db.manager, { jti, userId, expiresAt }, this.clock.now());
  }

  /** Every token the user holds stops working. */
  async revokeAllTokens(userId: string): Promise<void> {
    await this.users.bumpTokenGeneration(this.db.manager, userId);
  }

  async me(actor: Actor): Promise<MeView> {
    const user = await this.users.findById(this.db.manager, actor.userId);
    const roles = await this.roles.liveOfUser(this.db.manager, actor.userId);
    return {
      ...toUserView(user),
      roles: [
        ...(user.systemAdmin ? [{ orgId: null, orgName: null, role: 'admin' as Role }] : []),
        ...roles,
      ],
      now: this.clock.now().toISOString(),
    };
  }
}
