import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The task version the client last saw, from `If-Match: 3` (quotes and W/ tolerated).
 * Absent means "no precondition".
 */
export const IfMatch = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): number | undefined => {
    const raw = ctx.switchToHttp().getRequest<Request>().headers['if-match'];
    if (raw === undefined || raw === '') return undefined;
    const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(raw).trim());
    if (!match) {
      const message =
        'If-Match 须为任务的版本号，如 If-Match: 3 — If-Match must be the task version number, e.g. If-Match: 3';
      throw new BadRequestException({
        message,
        code: 'validation_failed',
        errors: [{ field: 'If-Match', code: 'invalid_if_match', message }],
      });
    }
    return Number(match[1]);
  },
);
