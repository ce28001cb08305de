import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { DeliveryLogService } from '#duban/notifications';
import { CurrentActor } from '../auth/decorators';
import { DeliveryPage, DeliveryQuery } from './notifications.dto';

@ApiTags('notifications (通知)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/admin')
export class DeliveriesController {
  constructor(private readonly log: DeliveryLogService) {}

  @Get('deliveries')
  @ApiOperation({
    summary:
      'Outgoing e-mails and webhook posts with their attempt log; state=dead is the dead-letter list',
  })
  @ApiResponse({ status: 200, type: DeliveryPage })
  @ApiResponse({ status: 400, description: 'A query parameter is invalid; the message names it' })
  @ApiResponse({ status: 403, description: 'Needs the admin role' })
  list(@CurrentActor() actor: Actor, @Query() q: DeliveryQuery): Promise<DeliveryPage> {
    return this.log.list(actor, { state: q.state, channel: q.channel }, q);
  }
}
