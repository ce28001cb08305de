import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, Role } from '#duban/domain';
import { pathToIds } from '#duban/persistence';

interface GrantRow {
  org_id: string;
  path: string;
  role: Role;
}

/** Loads who a user is for the access rules: their flag and every role with its org's path. */
@Injectable()
export class ActorService {
  constructor(private readonly db: DataSource) {}

  async load(userId: string): Promise<Actor | null> {
    const users: { id: string; system_admin: boolean }[] = await this.db.query(
      'SELECT id, system_admin FROM users WHERE id = $1 AND active',
      [userId],
    );
    if (users.length === 0) return null;
    const grants: GrantRow[] = await this.db.query(
      `SELECT ra.org_id, o.path::text AS path, ra.role
         FROM role_assignments ra JOIN orgs o ON o.id = ra.org_id
        WHERE ra.user_id = $1
        ORDER BY nlevel(o.path), ra.role`,
      [userId],
    );
    return {
      userId,
      systemAdmin: users[0].system_admin,
      grants: grants.map((g) => ({ org: { id: g.org_id, path: pathToIds(g.path) }, role: g.role })),
    };
  }
}
