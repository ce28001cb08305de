import { Inject, Injectable, Logger } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#duban/config';
import { CLOCK, type Actor, type Clock, forbidden, Page, PageRequest } from '#duban/domain';
import type { SignedAnchor } from './anchor';
import { createAnchor, postAnchor, readAnchorKey } from './anchor-store';
import { AuditRepository, type AnchorView } from './audit.repository';

/** The queue, job and scheduler of the periodic anchor (worker). */
export const AUDIT_QUEUE = 'audit';
export const AUDIT_ANCHOR_SCHEDULER_ID = 'audit-anchor-every-interval';

/** Makes the signed anchors of the audit record (worker) and lists them (api). */
@Injectable()
export class AuditAnchorService {
  private readonly logger = new Logger(AuditAnchorService.name);
  private key?: Promise<KeyObject | null>;

  constructor(
    private readonly db: DataSource,
    private readonly repo: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The signing key, read once. Null (with one warning) when DUBAN_AUDIT_KEY_FILE is unset,
   * missing or not an Ed25519 key: the service then makes no anchors.
   */
  signingKey(): Promise<KeyObject | null> {
    this.key ??= this.loadKey();
    return this.key;
  }

  private async loadKey(): Promise<KeyObject | null> {
    const file = this.config.DUBAN_AUDIT_KEY_FILE;
    if (!file || !existsSync(file)) {
      this.logger.warn(
        `no audit anchors: DUBAN_AUDIT_KEY_FILE ${file ? `(${file}) does not exist` : 'is not set'}; ` +
          'the audit record is protected by its hash chains only',
      );
      return null;
    }
    try {
      return await readAnchorKey(file);
    } catch (e) {
      this.logger.warn(`no audit anchors: ${(e as Error).message}`);
      return null;
    }
  }

  /** One anchor now; null when there is no key. */
  async anchor(): Promise<SignedAnchor | null> {
    const key = await this.signingKey();
    if (!key) return null;
    const anchor = await createAnchor(
      this.db,
      { key, at: this.clock.now(), file: this.config.DUBAN_AUDIT_ANCHOR_FILE },
      this.repo,
    );
    this.logger.log(
      `audit anchor: ${anchor.streams} streams, ${anchor.events} events, root ${anchor.root}`,
    );
    const webhook = this.config.DUBAN_AUDIT_ANCHOR_WEBHOOK_URL;
    if (webhook) {
      // The anchor is kept already (table and file): a webhook that is down costs only this copy.
      await postAnchor(webhook, anchor, this.config.DUBAN_WEBHOOK_TIMEOUT_MS).catch((e: Error) =>
        this.logger.warn(`audit anchor webhook: ${e.message}`),
      );
    }
    return anchor;
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<AnchorView>> {
    if (!actor.systemAdmin) {
      throw forbidden('只有系统管理员可以查看审计锚点 (audit anchors need a system administrator)');
    }
    return this.repo.listAnchors(this.db.manager, page);
  }
}
