import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, Role } from '#duban/domain';
import { pathToIds, preparedQuery } from '#duban/persistence';

interface ActorRow {
  system_admin: boolean;
  org_id: string | null;
  path: string | null;
  role: Role | null;
}

/** Loads who a user is for the access rules: their flag and every role with its org's path. */
@Injectable()
export class ActorService {
  constructor(private readonly db: DataSource) {}

  async load(userId: string): Promise<Actor | null> {
    return this.toActor(
      userId,
      await preparedQuery<ActorRow>(
        this.db,
        `SELECT u.system_admin, ra.org_id, o.path::text AS path, ra.role
           FROM users u
           LEFT JOIN role_assignments ra ON ra.user_id = u.id AND ra.revoked_at IS NULL
           LEFT JOIN orgs o ON o.id = ra.org_id
          WHERE u.id = $1 AND u.active
          ORDER BY nlevel(o.path), ra.role`,
        [userId],
      ),
    );
  }

  /**
   * One round trip on every authenticated request: the user and their grants together, or null
   * when the user is disabled or the token was revoked (its generation is not the user's, or it
   * was logged out).
   */
  async loadForToken(
    userId: string,
    generation: number,
    jti: string | null,
  ): Promise<Actor | null> {
    return this.toActor(
      userId,
      await preparedQuery<ActorRow>(
        this.db,
        `SELECT u.system_admin, ra.org_id, o.path::text AS path, ra.role
           FROM users u
           LEFT JOIN role_assignments ra ON ra.user_id = u.id AND ra.revoked_at IS NULL
           LEFT JOIN orgs o ON o.id = ra.org_id
          WHERE u.id = $1 AND u.active AND u.token_generation = $2
            AND NOT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $3::uuid)
          ORDER BY nlevel(o.path), ra.role`,
        [userId, generation, jti],
      ),
    );
  }

  private toActor(userId: string, rows: ActorRow[]): Actor | null {
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
}
