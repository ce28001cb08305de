import { Controller, Delete, Get, HttpCode, Inject, Param, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiProperty,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#duban/config';
import type { Actor } from '#duban/domain';
import { CalendarFeedService } from '#duban/rectification';
import { CurrentActor, Public } from '../auth/decorators';

export class CalendarFeedUrlResponse {
  @ApiProperty({
    example: 'https://duban.example.org/api/v1/calendar-feeds/0f6c…Yw.ics',
    description: 'The secret feed URL (subscribe to it in a calendar app); the same until revoked',
  })
  url!: string;
}

const FEED_PATH = 'api/v1/calendar-feeds';

@ApiTags('calendar feed (日历订阅)')
@Controller()
export class CalendarFeedController {
  constructor(
    private readonly feeds: CalendarFeedService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('api/v1/me/calendar-feed')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'My calendar feed URL: created on first request, the same afterwards until revoked',
  })
  @ApiResponse({ status: 200, type: CalendarFeedUrlResponse })
  @ApiResponse({ status: 401, description: 'No valid token' })
  async url(@CurrentActor() actor: Actor, @Req() req: Request): Promise<CalendarFeedUrlResponse> {
    const token = await this.feeds.tokenFor(actor);
    return { url: `${this.baseUrl(req)}/${FEED_PATH}/${token}.ics` };
  }

  @Delete('api/v1/me/calendar-feed')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Revoke my calendar feed: its URL answers 404 at once; a new GET makes a new URL',
  })
  @ApiResponse({ status: 204, description: 'Revoked (or there was none)' })
  @ApiResponse({ status: 401, description: 'No valid token' })
  async revoke(@CurrentActor() actor: Actor): Promise<void> {
    await this.feeds.revoke(actor);
  }

  @Get(`${FEED_PATH}/:token.ics`)
  @Public()
  @ApiOperation({
    summary:
      'The feed (RFC 5545): one VEVENT per open measure with a deadline I answer for, VALARMs at the policy’s reminders',
    description:
      'No bearer token: the token in the path is the secret. UID is stable per task, SEQUENCE is ' +
      'the task’s version, DTEND is the deadline (an end-of-day deadline as the following local ' +
      'midnight, in UTC), DTSTART an hour before.',
  })
  @ApiParam({ name: 'token', description: 'The secret token of the feed URL' })
  @ApiProduces('text/calendar')
  @ApiResponse({ status: 200, description: 'text/calendar; charset=utf-8' })
  @ApiResponse({ status: 404, description: 'Unknown or revoked token' })
  async ics(
    @Param('token') token: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const text = await this.feeds.ics(token, this.baseUrl(req));
    res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
    res.setHeader('Content-Disposition', 'inline; filename="duban.ics"');
    res.setHeader('Cache-Control', 'private, no-cache');
    return text;
  }

  /** DUBAN_PUBLIC_URL, else the address this request came to. */
  private baseUrl(req: Request): string {
    const configured = this.config.DUBAN_PUBLIC_URL?.replace(/\/+$/, '');
    return configured ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  }
}
