import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  Actor,
  CLOCK,
  type Clock,
  holdsRoleOver,
  forbidden,
  invalid,
  notFound,
} from '#duban/domain';
import { ROBOT_FORMATS, type RobotFormat } from './channels/robot-formats';
import { OrgWebhooksRepository } from './org-webhooks.repository';

export interface OrgWebhookView {
  orgId: string;
  url: string;
  /** What the robot speaks: duban (signed JSON), dingtalk or wecom (markdown). */
  format: RobotFormat;
  /** The secret is write-only: it signs every post and is never shown again. */
  hasSecret: boolean;
  updatedAt: string;
}

export interface OrgWebhookInput {
  url: string;
  /** Required except for WeCom (whose robots are authenticated by the key in the URL). */
  secret?: string;
  format?: RobotFormat;
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
    private readonly repo: OrgWebhooksRepository,
  ) {}

  async get(actor: Actor, orgId: string): Promise<OrgWebhookView> {
    await this.authorise(actor, orgId);
    const hook = await this.repo.get(this.db.manager, orgId);
    if (!hook) throw notFound(`该组织没有设置群机器人 — organisation ${orgId} has no webhook`);
    return {
      orgId,
      url: hook.url,
      format: hook.format,
      hasSecret: hook.hasSecret,
      updatedAt: hook.updatedAt.toISOString(),
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
        '地址须为完整的 http(s) 网址，如 https://oapi.example.com/robot — url must be an absolute http(s) URL, e.g. https://oapi.example.com/robot',
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalid(
        'url',
        `地址须使用 http 或 https — url must use http or https, got ${url.protocol.replace(':', '')}`,
      );
    }
    const format = input.format ?? 'duban';
    if (!(ROBOT_FORMATS as readonly string[]).includes(format)) {
      throw invalid(
        'format',
        `格式须为以下之一：${ROBOT_FORMATS.join('、')} — format must be one of ${ROBOT_FORMATS.join(', ')}`,
      );
    }
    if (format !== 'wecom' && !input.secret) {
      throw invalid(
        'secret',
        format === 'dingtalk'
          ? 'secret: 钉钉机器人需填写“加签”密钥（SEC 开头）'
          : 'secret: 需填写签名密钥（16-200 个字符）',
      );
    }
    await this.repo.save(
      this.db.manager,
      { orgId, url: url.toString(), secret: input.secret ?? null, format },
      actor.userId,
      this.clock.now(),
    );
    return this.get(actor, orgId);
  }

  /** Removes the robot; posts still pending for it dead-letter with a clear reason. */
  async remove(actor: Actor, orgId: string): Promise<void> {
    await this.authorise(actor, orgId);
    const removed = await this.repo.remove(this.db.manager, orgId);
    if (!removed) throw notFound(`该组织没有设置群机器人 — organisation ${orgId} has no webhook`);
  }

  private async authorise(actor: Actor, orgId: string): Promise<void> {
    const org = await this.repo.orgInScope(this.db.manager, actor, orgId);
    if (!org) {
      throw notFound(
        `组织不存在或不在你的范围内 — organisation ${orgId} does not exist or is outside your scope`,
      );
    }
    if (!actor.systemAdmin && !holdsRoleOver(actor, org, ['admin', 'secretary'])) {
      throw forbidden(
        "管理群机器人须在该组织或其上级担任管理员或书记 — managing an organisation's webhook needs the admin or secretary role in it or above it",
      );
    }
  }
}
