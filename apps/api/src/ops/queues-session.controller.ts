import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '#duban/domain';
import { forbidden } from '#duban/domain';
import { CurrentActor, CurrentToken, type TokenClaims } from '../auth/decorators';
import { mayViewQueues } from './queue-dashboard-access';
import { QUEUE_DASHBOARD_PATH } from './queue-dashboard';
import {
  QUEUES_SESSION_COOKIE,
  QUEUES_SESSION_TTL_SECONDS,
  QueuesSessionTokens,
} from './queues-session';

export class QueuesSessionResponse {
  @ApiProperty({ format: 'date-time', description: 'When the cookie stops opening the dashboard' })
  expiresAt!: string;
  @ApiProperty({ example: '/admin/queues/', description: 'Open this page in the same browser' })
  dashboardUrl!: string;
}

@ApiTags('operations')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/admin')
export class QueuesSessionController {
  constructor(private readonly sessions: QueuesSessionTokens) {}

  @Post('queues-session')
  @ApiOperation({
    summary: `Open the queue dashboard in a browser: sets a ${QUEUES_SESSION_TTL_SECONDS / 60}-minute cookie for ${QUEUE_DASHBOARD_PATH} (system administrator)`,
    description:
      `The dashboard at ${QUEUE_DASHBOARD_PATH} also accepts the bearer token itself; the ` +
      'cookie (HttpOnly, SameSite=Strict, limited to that path) is for browsers, which cannot ' +
      'send the header when following a link.',
  })
  @ApiResponse({ status: 201, type: QueuesSessionResponse })
  @ApiResponse({ status: 403, description: 'Only the system administrator (not an org admin)' })
  open(
    @CurrentActor() actor: Actor,
    @CurrentToken() bearer: TokenClaims,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): QueuesSessionResponse {
    const decision = mayViewQueues(actor);
    if (!decision.allowed) throw forbidden(decision.reason);
    const { token, expiresAt } = this.sessions.issue(actor.userId, bearer.generation);
    res.cookie(QUEUES_SESSION_COOKIE, token, {
      path: QUEUE_DASHBOARD_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      maxAge: QUEUES_SESSION_TTL_SECONDS * 1000,
    });
    return { expiresAt: expiresAt.toISOString(), dashboardUrl: `${QUEUE_DASHBOARD_PATH}/` };
  }

  @Delete('queues-session')
  @HttpCode(204)
  @ApiOperation({ summary: 'Close the dashboard session in this browser (clears the cookie)' })
  @ApiResponse({ status: 204, description: 'Cleared' })
  close(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.clearCookie(QUEUES_SESSION_COOKIE, {
      path: QUEUE_DASHBOARD_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
    });
  }
}
