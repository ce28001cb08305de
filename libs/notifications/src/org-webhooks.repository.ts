import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '#duban/domain';
import { pathToIds, scopeCondition, scopeParams } from '#duban/persistence';
import type { RobotFormat } from './channels/robot-formats';

/** An organisation's robot as its managers see it: the secret is never read back. */
export interface OrgWebhookRecord {
  url: string;
  format: RobotFormat;
  hasSecret: boolean;
  updatedAt: Date;
}

/** What a post to the robot needs. */
export interface OrgWebhookTarget {
  url: string;
  secret: string | null;
  format: RobotFormat;
}

/** The only writer of `org_webhooks` (each organisation's robot, 群机器人). */
@Injectable()
export class OrgWebhooksRepository {
  /** The organisation with its path (root first), if it is in the actor's scope. */
  async orgInScope(
    m: EntityManager,
    actor: Actor,
    orgId: string,
  ): Promise<{ id: string; path: string[] } | null> {
    const rows: { path: string }[] = await m.query(
      `SELECT o.path::text AS path FROM orgs o
        WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [orgId, ...scopeParams(actor)],
    );
    return rows.length === 0 ? null : { id: orgId, path: pathToIds(rows[0].path) };
  }

  async get(m: EntityManager, orgId: string): Promise<OrgWebhookRecord | null> {
    const rows: { url: string; updated_at: Date; format: RobotFormat; has_secret: boolean }[] =
      await m.query(
        'SELECT url, updated_at, format, secret IS NOT NULL AS has_secret FROM org_webhooks WHERE org_id = $1',
        [orgId],
      );
    if (rows.length === 0) return null;
    const r = rows[0];
    return { url: r.url, format: r.format, hasSecret: r.has_secret, updatedAt: r.updated_at };
  }

  /** Where and how to post for the organisation; null when it has no robot (any more). */
  async target(m: EntityManager, orgId: string | null): Promise<OrgWebhookTarget | null> {
    const hooks: OrgWebhookTarget[] = await m.query(
      'SELECT url, secret, format FROM org_webhooks WHERE org_id = $1',
      [orgId],
    );
    return hooks[0] ?? null;
  }

  async save(
    m: EntityManager,
    hook: { orgId: string; url: string; secret: string | null; format: RobotFormat },
    by: string,
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO org_webhooks (org_id, url, secret, format, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id) DO UPDATE
         SET url = EXCLUDED.url, secret = EXCLUDED.secret, format = EXCLUDED.format,
             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [hook.orgId, hook.url, hook.secret, hook.format, by, now],
    );
  }

  /** False when the organisation had no robot. */
  async remove(m: EntityManager, orgId: string): Promise<boolean> {
    const result: [unknown[], number] = await m.query(
      'DELETE FROM org_webhooks WHERE org_id = $1',
      [orgId],
    );
    return result[1] > 0;
  }
}
