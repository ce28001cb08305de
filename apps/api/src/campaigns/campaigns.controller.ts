import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { type Actor, invalid } from '#duban/domain';
import { CampaignsService, type NewFinding } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { ProblemDetailResponse } from '../problems/problems.dto';
import {
  CampaignDetailResponse,
  CampaignPage,
  CampaignQuery,
  CreateCampaignRequest,
  FindingResponse,
  FindingsQuery,
  FindingsResponse,
  RecordFindingsRequest,
} from './campaigns.dto';

@ApiTags('campaigns (督查)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post('campaigns')
  @ApiOperation({
    summary: '组织督查: a campaign with its team and targets, chosen or drawn from a recorded seed',
  })
  @ApiResponse({ status: 201, type: CampaignDetailResponse })
  @ApiResponse({
    status: 400,
    description:
      'A field is invalid; the message names it (e.g. teamUserIds[2] without the supervisor role, targetDraw.count above the population)',
  })
  @ApiResponse({
    status: 403,
    description: 'Only the raising org’s secretary, deputy or supervisor',
  })
  @ApiResponse({ status: 404, description: 'The raising org is not within your scope' })
  launch(
    @CurrentActor() actor: Actor,
    @Body() body: CreateCampaignRequest,
  ): Promise<CampaignDetailResponse> {
    return this.campaigns.launch(actor, body);
  }

  @Get('campaigns')
  @ApiOperation({
    summary: 'Campaigns you can see: raised in your subtree, yours, or targeting it',
  })
  @ApiResponse({ status: 200, type: CampaignPage })
  list(@CurrentActor() actor: Actor, @Query() q: CampaignQuery): Promise<CampaignPage> {
    return this.campaigns.list(actor, { orgId: q.orgId, state: q.state }, q);
  }

  @Get('campaigns/:id')
  @ApiOperation({
    summary:
      'The campaign with its board: per target findings, problems, measures open / overdue / closed / relapsed (frozen once closed)',
  })
  @ApiResponse({ status: 200, type: CampaignDetailResponse })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CampaignDetailResponse> {
    return this.campaigns.get(actor, id);
  }

  @Post('campaigns/:id/findings')
  @ApiOperation({
    summary:
      '督查发现: a finding (or {findings: [...]}) becomes a problem with its measures, carrying the campaign',
  })
  @ApiExtraModels(ProblemDetailResponse, FindingsResponse)
  @ApiResponse({
    status: 201,
    description: 'The problem created, or {findings: [problems]} when several were sent',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(ProblemDetailResponse) },
        { $ref: getSchemaPath(FindingsResponse) },
      ],
    },
  })
  @ApiResponse({ status: 400, description: 'A field is invalid; the message names it' })
  @ApiResponse({ status: 403, description: 'Only the campaign’s inspection team' })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  @ApiResponse({ status: 409, description: 'The campaign is closed (code campaign_closed)' })
  async record(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: RecordFindingsRequest,
  ): Promise<ProblemDetailResponse | FindingsResponse> {
    const { findings, ...one } = body;
    if (findings) {
      const extra = Object.keys(one).find((k) => (one as Record<string, unknown>)[k] !== undefined);
      if (extra) {
        throw invalid(extra, `${extra}：与 findings 同时提交时，请把每条发现放在 findings 中`);
      }
      return { findings: await this.campaigns.recordFindings(actor, id, findings, true) };
    }
    const [problem] = await this.campaigns.recordFindings(actor, id, [one as NewFinding], false);
    return problem;
  }

  @Get('campaigns/:id/findings')
  @ApiOperation({ summary: 'Findings of the targets you can see (a target sees its own)' })
  @ApiResponse({ status: 200, type: [FindingResponse] })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  findings(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Query() q: FindingsQuery,
  ): Promise<FindingResponse[]> {
    return this.campaigns.findings(actor, id, q.targetOrgId);
  }

  @Post('campaigns/:id/close')
  @HttpCode(200)
  @ApiOperation({ summary: '督查结束: freezes the board; it is returned unchanged thereafter' })
  @ApiResponse({ status: 200, type: CampaignDetailResponse })
  @ApiResponse({
    status: 403,
    description: 'Only the team leader or the raising org’s supervising roles',
  })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  @ApiResponse({ status: 409, description: 'Already closed (code campaign_closed)' })
  close(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CampaignDetailResponse> {
    return this.campaigns.close(actor, id);
  }
}
