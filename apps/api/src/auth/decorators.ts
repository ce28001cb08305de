import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor } from '#duban/domain';

export const IS_PUBLIC = 'duban:public';

/** Marks a route that needs no token (login, health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export interface AuthenticatedRequest {
  actor?: Actor;
}

/** The authenticated caller, as the access rules see them. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a public route');
  return actor;
});
