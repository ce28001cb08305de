import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '#duban/domain';
import { contentDisposition } from '#duban/evidence';
import { type AssessmentRecord, AssessmentsService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { LoopErrors } from './errors';
import {
  AppealDecisionRequest,
  AppealRequest,
  AssessmentQuery,
  AssessmentResponse,
  AssessmentSchemeRequest,
  AssessmentSummaryResponse,
  AssessmentSchemeResponse,
  ComputeAssessmentRequest,
  DrillDownResponse,
  ManualValueRequest,
  SchemeQuery,
} from './five-in-one.dto';

const view = (a: AssessmentRecord): AssessmentResponse => ({
  id: a.id,
  orgId: a.orgId,
  year: a.year,
  state: a.state,
  computedAt: a.computedAt,
  confirmedAt: a.confirmedAt,
  rows: a.rows.map(({ orgPath: _path, ...r }) => r),
  appeals: a.appeals,
});

@ApiTags('assessments (考核)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class AssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Put('orgs/:id/assessment-scheme')
  @LoopErrors()
  @ApiOperation({
    summary: "A committee's scheme for a year: indicators (weights sum to 100) and grades",
  })
  @ApiResponse({ status: 200, type: AssessmentSchemeResponse })
  putScheme(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: AssessmentSchemeRequest,
  ): Promise<AssessmentSchemeResponse> {
    return this.assessments.putScheme(actor, id, body);
  }

  @Get('orgs/:id/assessment-scheme')
  @ApiOperation({ summary: "A committee's scheme for a year" })
  @ApiResponse({ status: 200, type: AssessmentSchemeResponse })
  @ApiResponse({ status: 404, description: 'No scheme for that year, or not in your scope' })
  getScheme(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Query() q: SchemeQuery,
  ): Promise<AssessmentSchemeResponse> {
    return this.assessments.getScheme(actor, id, q.year);
  }

  @Put('orgs/:id/assessment-manual-values')
  @HttpCode(204)
  @LoopErrors()
  @ApiOperation({
    summary: 'A manual indicator for one child org: value 0..100 with a reason and evidence',
  })
  @ApiResponse({ status: 204, description: 'Recorded' })
  async putManual(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ManualValueRequest,
  ): Promise<void> {
    await this.assessments.putManualValue(actor, id, body);
  }

  @Post('assessments')
  @LoopErrors()
  @ApiOperation({
    summary:
      'Computes the year for every child org from the data in Duban: each raw value and score, total, grade',
  })
  @ApiResponse({ status: 201, type: AssessmentResponse })
  async compute(
    @CurrentActor() actor: Actor,
    @Body() body: ComputeAssessmentRequest,
  ): Promise<AssessmentResponse> {
    return view(await this.assessments.compute(actor, body));
  }

  @Get('assessments')
  @ApiOperation({
    summary:
      'The assessments you may see, per year and assessing committee: all rows for the committee, your own otherwise',
  })
  @ApiResponse({ status: 200, type: [AssessmentSummaryResponse] })
  list(
    @CurrentActor() actor: Actor,
    @Query() q: AssessmentQuery,
  ): Promise<AssessmentSummaryResponse[]> {
    return this.assessments.list(actor, q);
  }

  @Get('assessments/:id')
  @ApiOperation({ summary: 'One assessment: all rows for the committee, your own rows otherwise' })
  @ApiResponse({ status: 200, type: AssessmentResponse })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<AssessmentResponse> {
    return view(await this.assessments.get(actor, id));
  }

  @Get('assessments/:id/rows/:orgId/indicators/:code')
  @ApiOperation({
    summary:
      'Drill-down: the rows behind one indicator value (e.g. the measures of an on-time rate)',
  })
  @ApiResponse({ status: 200, type: DrillDownResponse })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  drillDown(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Param('code') code: string,
  ): Promise<DrillDownResponse> {
    return this.assessments.drillDown(actor, id, orgId, code);
  }

  @Get('assessments/:id/export')
  @ApiOperation({ summary: 'The assessment table as xlsx' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiResponse({ status: 200, schema: { type: 'string', format: 'binary' } })
  async export(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const bytes = await this.assessments.export(actor, id);
    res.status(200);
    res.setHeader(
      'Content-Type',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    res.setHeader('Content-Disposition', contentDisposition(`考核结果-${id}.xlsx`));
    res.setHeader('Cache-Control', 'private, no-store');
    res.end(bytes);
  }

  @Post('assessments/:id/confirm')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({
    summary: 'The committee confirms; each org graded 差 faces one accountability case',
  })
  @ApiResponse({ status: 200, type: AssessmentResponse })
  async confirm(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<AssessmentResponse> {
    return view(await this.assessments.confirm(actor, id));
  }

  @Post('assessments/:id/appeals')
  @LoopErrors()
  @ApiOperation({ summary: 'An assessed org appeals its confirmed result, with a reason' })
  @ApiResponse({ status: 201, type: AssessmentResponse })
  async appeal(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: AppealRequest,
  ): Promise<AssessmentResponse> {
    return view(await this.assessments.appeal(actor, id, body));
  }

  @Post('assessments/:id/appeals/:appealId/decision')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({
    summary: 'The committee decides an appeal with a reason (and a new grade if upheld)',
  })
  @ApiResponse({ status: 200, type: AssessmentResponse })
  async decide(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('appealId', uuidParam('appealId')) appealId: string,
    @Body() body: AppealDecisionRequest,
  ): Promise<AssessmentResponse> {
    return view(await this.assessments.decideAppeal(actor, id, appealId, body));
  }
}
