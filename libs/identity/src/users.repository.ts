import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor, ExistingUser, Role } from '#duban/domain';
import { pathToIds, preparedQuery, UserEntity } from '#duban/persistence';

export interface NewUserRecord {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  email: string | null;
  phone: string | null;
  systemAdmin: boolean;
  at: Date;
}

interface ActorRow {
  system_admin: boolean;
  org_id: string | null;
  path: string | null;
  role: Role | null;
}

const ACTOR_SELECT = `SELECT u.system_admin, ra.org_id, o.path::text AS path, ra.role
           FROM users u
           LEFT JOIN role_assignments ra ON ra.user_id = u.id AND ra.revoked_at IS NULL
           LEFT JOIN orgs o ON o.id = ra.org_id`;

function toActor(userId: string, rows: ActorRow[]): Actor | null {
  if (rows.length === 0) return null;
  return {
    userId,
    systemAdmin: rows[0].system_admin,
    // A user without roles comes back as one row of NULL grant columns.
    grants: rows.flatMap((g) =>
      g.org_id && g.path && g.role
        ? [{ org: { id: g.org_id, path: pathToIds(g.path) }, role: g.role }]
        : [],
    ),
  };
}

/**
 * Every statement about accounts; the only writer of `users` and `revoked_tokens`. Also loads
 * who a user is for the access rules (their flag and every live role with its org's path).
 */
@Injectable()
export class UsersRepository {
  // ── the actor of a request ──

  /** The active user as an actor, or null. */
  async loadActor(m: EntityManager, userId: string): Promise<Actor | null> {
    return toActor(
      userId,
      await preparedQuery<ActorRow>(
        m,
        `${ACTOR_SELECT}
          WHERE u.id = $1 AND u.active
          ORDER BY nlevel(o.path), ra.role`,
        [userId],
      ),
    );
  }

  /**
   * One round trip on every authenticated request, as a prepared statement: the user and their
   * grants together, or null when the user is disabled or the token was revoked (its generation
   * is not the user's, or it was logged out).
   */
  async loadActorForToken(
    m: EntityManager,
    userId: string,
    generation: number,
    jti: string | null,
  ): Promise<Actor | null> {
    return toActor(
      userId,
      await preparedQuery<ActorRow>(
        m,
        `${ACTOR_SELECT}
          WHERE u.id = $1 AND u.active AND u.token_generation = $2
            AND NOT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $3::uuid)
          ORDER BY nlevel(o.path), ra.role`,
        [userId, generation, jti],
      ),
    );
  }

  // ── accounts ──

  /** An active account with no token issued yet; throws PostgreSQL's unique violation when the username is taken. */
  async insert(m: EntityManager, u: NewUserRecord): Promise<void> {
    await m.query(
      `INSERT INTO users (id, username, display_name, password_hash, email, phone, system_admin,
              active, token_generation, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, true, 0, $8)`,
      [u.id, u.username, u.displayName, u.passwordHash, u.email, u.phone, u.systemAdmin, u.at],
    );
  }

  async anySystemAdmin(m: EntityManager): Promise<boolean> {
    const existing: unknown[] = await m.query('SELECT 1 FROM users WHERE system_admin LIMIT 1');
    return existing.length > 0;
  }

  async isActive(m: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND active`, [userId]);
    return rows.length > 0;
  }

  /**
   * The active user and password hash for a login attempt. `lookup` is the name as
   * normaliseLoginName gives it (ASCII, lower case): it is compared with `lower(username)` as it
   * is, never lower-cased again in SQL, whose `lower()` differs from JavaScript's outside ASCII.
   */
  async findForLogin(
    m: EntityManager,
    lookup: string,
  ): Promise<(UserEntity & { passwordHash: string }) | null> {
    return m
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.username) = :lookup AND u.active', { lookup })
      .getOne() as Promise<(UserEntity & { passwordHash: string }) | null>;
  }

  async findById(m: EntityManager, userId: string): Promise<UserEntity> {
    return m.getRepository(UserEntity).findOneByOrFail({ id: userId });
  }

  /** The user row locked until the transaction ends; null when there is no such user. */
  async lock(m: EntityManager, userId: string): Promise<UserEntity | null> {
    return m
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.id = :userId', { userId })
      .getOne();
  }

  /** Writes the user's details, active flag and token generation as they are on `user`. */
  async save(m: EntityManager, user: UserEntity): Promise<void> {
    await m.getRepository(UserEntity).save(user);
  }

  /** A new password; every token of the user stops working with it. */
  async setPasswordHash(m: EntityManager, userId: string, hash: string): Promise<void> {
    await m.query(
      `UPDATE users SET password_hash = $2, token_generation = token_generation + 1 WHERE id = $1`,
      [userId, hash],
    );
  }

  /** Every token the user holds stops working. */
  async bumpTokenGeneration(m: EntityManager, userId: string): Promise<void> {
    await m.query(`UPDATE users SET token_generation = token_generation + 1 WHERE id = $1`, [
      userId,
    ]);
  }

  /** Accounts by username (compared in lower case), keyed by the lower-cased name. */
  async byUsernames(
    m: EntityManager,
    usernames: readonly string[],
  ): Promise<Map<string, ExistingUser>> {
    const rows: { id: string; username: string; display_name: string; active: boolean }[] =
      await m.query(
        `SELECT id, username, display_name, active FROM users WHERE lower(username) = ANY($1::text[])`,
        [usernames.map((u) => u.toLowerCase())],
      );
    return new Map(
      rows.map((r) => [
        r.username.toLowerCase(),
        { id: r.id, username: r.username, displayName: r.display_name, active: r.active },
      ]),
    );
  }

  // ── revoked tokens (logout) ──

  /** Refuses the token from now on; rows of tokens that have expired by `now` go. */
  async revokeToken(
    m: EntityManager,
    t: { jti: string; userId: string; expiresAt: Date },
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (jti) DO NOTHING`,
      [t.jti, t.userId, t.expiresAt],
    );
    // Rows of tokens that have expired anyway are of no use any more.
    await m.query(`DELETE FROM revoked_tokens WHERE expires_at < $1`, [now]);
  }
}
