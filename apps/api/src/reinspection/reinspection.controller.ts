import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, notFound } from '#duban/domain';
import { ReinspectionService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import {
  DrawRequest,
  DrawResponse,
  ReinspectionPolicyDto,
  ReinspectionPolicyResponse,
  ReinspectionQuery,
  ReinspectionResponse,
  ReinspectionResultRequest,
} from './reinspection.dto';

@ApiTags('re-inspection after closure (回头看)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class ReinspectionController {
  constructor(private readonly reinspections: ReinspectionService) {}

  @Put('orgs/:orgId/reinspection-policy')
  @ApiOperation({
    summary:
      'Set the 回头看 rule for this org and the orgs below it (secretary, deputy, admin; inherited)',
  })
  @ApiBody({ type: ReinspectionPolicyDto })
  @ApiResponse({ status: 200, type: ReinspectionPolicyResponse })
  @ApiResponse({ status: 400, description: 'rate, alwaysSeverities or inspectorRole invalid' })
  @ApiResponse({ status: 403, description: 'Not allowed to set this org’s rule' })
  @ApiResponse({ status: 404, description: 'Org not found within your scope' })
  putPolicy(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Body() body: ReinspectionPolicyDto,
  ): Promise<ReinspectionPolicyResponse> {
    return this.reinspections.putPolicy(actor, orgId, { ...body });
  }

  @Get('orgs/:orgId/reinspection-policy')
  @ApiOperation({ summary: 'The 回头看 rule that applies to this org (own or inherited)' })
  @ApiResponse({ status: 200, type: ReinspectionPolicyResponse })
  @ApiResponse({ status: 404, description: 'Org not found, or no rule set here or above' })
  async getPolicy(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
  ): Promise<ReinspectionPolicyResponse> {
    const p = await this.reinspections.getPolicy(actor, orgId);
    if (!p) {
      throw notFound('该党组织及其上级均未设置回头看规则', 'no_reinspection_policy');
    }
    return p;
  }

  @Post('orgs/:orgId/reinspection-draws')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Draw the quarter’s 回头看 sample now (idempotent per org and quarter; the worker draws at quarter end by itself)',
  })
  @ApiBody({ type: DrawRequest })
  @ApiResponse({ status: 200, type: DrawResponse })
  @ApiResponse({ status: 400, description: 'quarter invalid or not started; no rule set' })
  @ApiResponse({ status: 403, description: 'Only the org’s secretary, deputy or supervisor' })
  @ApiResponse({ status: 404, description: 'Org not found within your scope' })
  draw(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Body() body: DrawRequest,
  ): Promise<DrawResponse> {
    return this.reinspections.drawNow(actor, orgId, body.quarter);
  }

  @Get('reinspection-draws/:id')
  @ApiOperation({ summary: 'One draw, with its seed and population (reproducible)' })
  @ApiResponse({ status: 200, type: DrawResponse })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  getDraw(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<DrawResponse> {
    return this.reinspections.getDraw(actor, id);
  }

  @Get('reinspections')
  @ApiOperation({ summary: 'Re-inspections of measures in your scope, soonest deadline first' })
  @ApiResponse({ status: 200, type: [ReinspectionResponse] })
  list(
    @CurrentActor() actor: Actor,
    @Query() q: ReinspectionQuery,
  ): Promise<ReinspectionResponse[]> {
    return this.reinspections.list(actor, q);
  }

  @Post('reinspections/:id/result')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Record the outcome: held, or relapsed (reopens the measure with relapse: true and a new deadline)',
  })
  @ApiBody({ type: ReinspectionResultRequest })
  @ApiResponse({ status: 200, type: ReinspectionResponse })
  @ApiResponse({ status: 400, description: 'outcome, note or attachmentIds invalid' })
  @ApiResponse({
    status: 403,
    description:
      'Not the assigned inspector nor the raising org’s secretary/deputy; code `conflict_of_interest` for whoever verified or closed the measure or acted on it',
  })
  @ApiResponse({ status: 409, description: 'Already recorded (code `already_recorded`)' })
  result(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ReinspectionResultRequest,
  ): Promise<ReinspectionResponse> {
    return this.reinspections.result(actor, id, body);
  }
}
