import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ActorService } from '#duban/identity';
import { AuthenticatedRequest, IS_PUBLIC } from './decorators';
import { TokenService } from './token.service';

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly actors: ActorService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) {
      return true;
    }
    const req = ctx.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new UnauthorizedException(
        '请先登录（请求须带 Authorization: Bearer <令牌>） — Authorization: a header "Bearer <token>" is required',
      );
    const token = this.tokens.verify(match[1]);
    if (!token)
      throw new UnauthorizedException(
        '登录已失效（令牌无效或已过期），请重新登录 — Authorization: the token is invalid or has expired; log in again',
      );
    // Read from PostgreSQL on every request: a disabled user or a revoked token stops at once.
    const actor = await this.actors.loadForToken(token.userId, token.generation, token.jti);
    if (!actor)
      throw new UnauthorizedException({
        message:
          '令牌已撤销或账号已停用，请重新登录 — Authorization: the token has been revoked, or the account is disabled; log in again',
        code: 'token_revoked',
      });
    req.actor = actor;
    req.token = token;
    return true;
  }
}
