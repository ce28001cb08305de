import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import {
  DelegationsService,
  InboxService,
  NotificationSettingsService,
} from '#duban/notifications';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import {
  CreateDelegationRequest,
  DelegationResponse,
  NotificationPage,
  NotificationQuery,
  NotificationResponse,
  NotificationSettingsRequest,
  NotificationSettingsResponse,
  ReadAllResponse,
} from './notifications.dto';

/** The caller's own notices and preferences: everything here is about "me", never others. */
@ApiTags('notifications (通知)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class NotificationsController {
  constructor(
    private readonly inbox: InboxService,
    private readonly settings: NotificationSettingsService,
    private readonly delegations: DelegationsService,
  ) {}

  @Get('notifications')
  @ApiOperation({ summary: 'Your inbox, newest first; ?unread=true for the unread only' })
  @ApiResponse({ status: 200, type: NotificationPage })
  @ApiResponse({ status: 400, description: 'A query parameter is invalid; the message names it' })
  list(@CurrentActor() actor: Actor, @Query() q: NotificationQuery): Promise<NotificationPage> {
    return this.inbox.list(actor.userId, { unread: q.unread }, q);
  }

  @Post('notifications/read-all')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Mark every unread notice read, except those needing acknowledgement (open those one by one)',
  })
  @ApiResponse({ status: 200, type: ReadAllResponse })
  readAll(@CurrentActor() actor: Actor): Promise<ReadAllResponse> {
    return this.inbox.markAllRead(actor.userId);
  }

  @Post('notifications/:id/read')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Read receipt (已阅); idempotent, the first reading time stays; stops chasing',
  })
  @ApiResponse({ status: 200, type: NotificationResponse })
  @ApiResponse({ status: 404, description: 'No such notice in your inbox' })
  read(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<NotificationResponse> {
    return this.inbox.markRead(actor.userId, id);
  }

  @Get('me/notification-settings')
  @ApiOperation({ summary: 'Your channels, digest, quiet hours and time zone' })
  @ApiResponse({ status: 200, type: NotificationSettingsResponse })
  getSettings(@CurrentActor() actor: Actor): Promise<NotificationSettingsResponse> {
    return this.settings.get(actor.userId);
  }

  @Put('me/notification-settings')
  @ApiOperation({
    summary: 'Replace your notification settings (the inbox is always on)',
  })
  @ApiResponse({ status: 200, type: NotificationSettingsResponse })
  @ApiResponse({ status: 400, description: 'A field is invalid; the message names it' })
  putSettings(
    @CurrentActor() actor: Actor,
    @Body() body: NotificationSettingsRequest,
  ): Promise<NotificationSettingsResponse> {
    return this.settings.put(actor.userId, body);
  }

  @Get('me/delegations')
  @ApiOperation({
    summary: 'Absence delegations (请假委托) you granted or received that have not ended',
  })
  @ApiResponse({ status: 200, type: [DelegationResponse] })
  listDelegations(@CurrentActor() actor: Actor): Promise<DelegationResponse[]> {
    return this.delegations.list(actor);
  }

  @Post('me/delegations')
  @ApiOperation({
    summary: 'Name a deputy for a date range: your notices also reach them, marked as such',
  })
  @ApiResponse({ status: 201, type: DelegationResponse })
  @ApiResponse({ status: 400, description: 'A field is invalid; the message names it' })
  @ApiResponse({ status: 409, description: 'The same delegation exists already' })
  createDelegation(
    @CurrentActor() actor: Actor,
    @Body() body: CreateDelegationRequest,
  ): Promise<DelegationResponse> {
    return this.delegations.create(actor, body);
  }

  @Delete('me/delegations/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a delegation you granted' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiResponse({ status: 404, description: 'No such delegation of yours' })
  async deleteDelegation(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<void> {
    await this.delegations.remove(actor, id);
  }
}
