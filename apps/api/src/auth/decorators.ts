import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor } from '#duban/domain';

export const IS_PUBLIC = 'duban:public';

/** Marks a route that needs no token (login, health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** What a verified bearer token says. */
export interface TokenClaims {
  userId: string;
  /** users.token_generation when it was issued; a bumped generation revokes it. */
  generation: number;
  /** Its id, for revoking it alone (logout); null on tokens issued before ids existed. */
  jti: string | null;
  expiresAt: Date;
}

export interface AuthenticatedRequest {
  actor?: Actor;
  token?: TokenClaims;
}

/** The authenticated caller, as the access rules see them. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a public route');
  return actor;
});

/** The bearer token of the request. */
export const CurrentToken = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): TokenClaims => {
    const token = ctx.switchToHttp().getRequest<AuthenticatedRequest>().token;
    if (!token) throw new Error('CurrentToken used on a public route');
    return token;
  },
);
