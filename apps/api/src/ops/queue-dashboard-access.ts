import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { type Actor, ALLOW, type Decision, deny } from '#duban/domain';
import { ActorService } from '#duban/identity';
import { TokenService } from '../auth/token.service';
import { QUEUES_SESSION_COOKIE, QueuesSessionTokens } from './queues-session';

/**
 * Who may look into the queues: the system administrator only. Jobs carry task ids and data of
 * every organisation, so an org admin (whose scope is a subtree) may not.
 */
export function mayViewQueues(actor: Actor): Decision {
  return actor.systemAdmin
    ? ALLOW
    : deny('队列面板仅限系统管理员 — the queue dashboard is for the system administrator only');
}

export type DashboardVerdict =
  { ok: true; actor: Actor } | { ok: false; status: 401 | 403; message: string };

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Authenticates a request to the dashboard: a bearer token (scripts, curl) or the session
 * cookie set by POST /api/v1/admin/queues-session (browsers). A header that is present decides
 * on its own; the cookie is only looked at without one.
 */
@Injectable()
export class QueueDashboardAccess {
  constructor(
    private readonly tokens: TokenService,
    private readonly sessions: QueuesSessionTokens,
    private readonly actors: ActorService,
  ) {}

  async check(req: Request): Promise<DashboardVerdict> {
    let actor: Actor | null;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const token = match ? this.tokens.verify(match[1]) : null;
      if (!token) {
        return {
          ok: false,
          status: 401,
          message:
            '登录已失效（令牌无效或已过期），请重新登录 — Authorization: the token is invalid or has expired; log in again',
        };
      }
      actor = await this.actors.loadForToken(token.userId, token.generation, token.jti);
    } else {
      const session = cookieValue(req.headers.cookie, QUEUES_SESSION_COOKIE);
      const claims = session ? this.sessions.verify(session) : null;
      if (!claims) {
        return {
          ok: false,
          status: 401,
          message:
            '请先登录，或先通过 POST /api/v1/admin/queues-session 打开队列看板会话（会话可能已过期） — ' +
            'Authorization: send "Bearer <token>", or open a dashboard session first with ' +
            'POST /api/v1/admin/queues-session (it has expired if you had one)',
        };
      }
      actor = await this.actors.loadForToken(claims.userId, claims.generation, null);
    }
    if (!actor) {
      return {
        ok: false,
        status: 401,
        message:
          '令牌已撤销或账号已停用，请重新登录 — Authorization: the token has been revoked, or the account is disabled; log in again',
      };
    }
    const decision = mayViewQueues(actor);
    if (!decision.allowed) return { ok: false, status: 403, message: decision.reason };
    return { ok: true, actor };
  }
}
