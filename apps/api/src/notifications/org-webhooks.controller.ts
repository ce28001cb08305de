import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { OrgWebhooksService } from '#duban/notifications';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { OrgWebhookRequest, OrgWebhookResponse } from './notifications.dto';

const ACCESS = [
  ApiResponse({
    status: 403,
    description: 'Needs the admin or secretary role in or above the org',
  }),
  ApiResponse({ status: 404, description: 'Organisation not found within your scope' }),
];

function access(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of ACCESS) d(target, key, descriptor);
  };
}

/** An organisation's group robot (DingTalk / WeCom style): notices for the org are posted to it. */
@ApiTags('notifications (通知)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/orgs')
export class OrgWebhooksController {
  constructor(private readonly webhooks: OrgWebhooksService) {}

  @Get(':orgId/webhook')
  @access()
  @ApiOperation({ summary: "The org's robot URL (the secret is never shown)" })
  @ApiResponse({ status: 200, type: OrgWebhookResponse })
  get(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
  ): Promise<OrgWebhookResponse> {
    return this.webhooks.get(actor, orgId);
  }

  @Put(':orgId/webhook')
  @access()
  @ApiOperation({
    summary: 'Set the org robot: signed JSON posts (X-Duban-Timestamp, X-Duban-Signature)',
  })
  @ApiResponse({ status: 200, type: OrgWebhookResponse })
  @ApiResponse({ status: 400, description: 'A field is invalid; the message names it' })
  put(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Body() body: OrgWebhookRequest,
  ): Promise<OrgWebhookResponse> {
    return this.webhooks.put(actor, orgId, body);
  }

  @Delete(':orgId/webhook')
  @HttpCode(204)
  @access()
  @ApiOperation({ summary: 'Remove the org robot' })
  @ApiResponse({ status: 204, description: 'Removed' })
  async remove(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
  ): Promise<void> {
    await this.webhooks.remove(actor, orgId);
  }
}
