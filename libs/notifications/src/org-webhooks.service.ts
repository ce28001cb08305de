import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, CLOCK, type Clock, holdsRoleOver } from '#duban/domain';
import { forbidden, invalid, notFound } from '#duban/identity';
import { pathToIds, scopeCondition, scopeParams } from '#duban/persistence';

export interface OrgWebhookView {
  orgId: string;
  url: string;
  /** The secret is write-only: it signs every post and is never shown again. */
  hasSecret: true;
  updatedAt: string;
}

export interface OrgWebhookInput {
  url: string;
  secret: string;
}

/**
 * An organisation's robot (DingTalk / WeCom-style group webhook). Managed by an admin or a
 * secretary of the organisation or above it; other people do not learn that it exists.
 */
@Injectable()
export class OrgWebhooksService {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(actor: Actor, orgId: string): Promise<OrgWebhookView> {
    await this.authorise(actor, orgId);
    const rows: { url: string; updated_at: Date }[] = await this.db.query(
      'SELECT url, updated_at FROM org_webhooks WHERE org_id = $1',
      [orgId],
    );
    if (rows.length === 0) throw notFound(`organisation ${orgId} has no webhook`);
    return {
      orgId,
      url: rows[0].url,
      hasSecret: true,
      updatedAt: rows[0].updated_at.toISOString(),
    };
  }

  async put(actor: Actor, orgId: string, input: OrgWebhookInput): Promise<OrgWebhookView> {
    await this.authorise(actor, orgId);
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw invalid(
        'url',
        'url must be an absolute http(s) URL, e.g. https://oapi.example.com/robot',
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalid('url', `url must use http or https, got ${url.protocol.replace(':', '')}`);
    }
    await this.db.query(
      `INSERT INTO org_webhooks (org_id, url, secret, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id) DO UPDATE
         SET url = EXCLUDED.url, secret = EXCLUDED.secret,
             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [orgId, url.toString(), input.secret, actor.userId, this.clock.now()],
    );
    return this.get(actor, orgId);
  }

  /** Removes the robot; posts still pending for it dead-letter with a clear reason. */
  async remove(actor: Actor, orgId: string): Promise<void> {
    await this.authorise(actor, orgId);
    const result: [unknown[], number] = await this.db.query(
      'DELETE FROM org_webhooks WHERE org_id = $1',
      [orgId],
    );
    if (result[1] === 0) throw notFound(`organisation ${orgId} has no webhook`);
  }

  private async authorise(actor: Actor, orgId: string): Promise<void> {
    const rows: { path: string }[] = await this.db.query(
      `SELECT o.path::text AS path FROM orgs o
        WHERE o.id = $1 AND ${scopeCondition('o.path', '$2', '$3')}`,
      [orgId, ...scopeParams(actor)],
    );
    if (rows.length === 0) {
      throw notFound(`organisation ${orgId} does not exist or is outside your scope`);
    }
    const org = { id: orgId, path: pathToIds(rows[0].path) };
    if (!actor.systemAdmin && !holdsRoleOver(actor, org, ['admin', 'secretary'])) {
      throw forbidden(
        "managing an organisation's webhook needs the admin or secretary role in it or above it",
      );
    }
  }
}
