import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '#duban/domain';
import { contentDisposition } from '#duban/evidence';
import { type CommitmentView, CommitmentsService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { LoopErrors } from './errors';
import {
  CommitmentEvaluationRequest,
  CommitmentProgressRequest,
  CommitmentQuery,
  CommitmentResponse,
  CommitmentReturnRequest,
  FileCommitmentRequest,
  MemberRatingsRequest,
} from './five-in-one.dto';

const view = ({ orgPath: _path, ...c }: CommitmentView): CommitmentResponse => c;

@ApiTags('commitments (承诺: 订诺 → 审诺 → 亮诺 → 践诺 → 评诺)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/commitments')
export class CommitmentsController {
  constructor(private readonly commitments: CommitmentsService) {}

  @Post()
  @LoopErrors()
  @ApiOperation({
    summary: '订诺: an org (or its secretary) files its commitments for a year → draft',
  })
  @ApiResponse({ status: 201, type: CommitmentResponse })
  async file(
    @CurrentActor() actor: Actor,
    @Body() body: FileCommitmentRequest,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.file(actor, body));
  }

  @Get()
  @ApiOperation({
    summary:
      'Commitments you may see: all states for your own org and those below you; published ones for members',
  })
  @ApiResponse({ status: 200, type: [CommitmentResponse] })
  async list(
    @CurrentActor() actor: Actor,
    @Query() q: CommitmentQuery,
  ): Promise<CommitmentResponse[]> {
    return (await this.commitments.list(actor, q)).map(view);
  }

  @Get('export')
  @ApiOperation({
    summary: '亮诺公示: the published commitments of an org and year as an xlsx sheet',
  })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiResponse({ status: 200, schema: { type: 'string', format: 'binary' } })
  async export(
    @CurrentActor() actor: Actor,
    @Query() q: CommitmentQuery,
    @Res() res: Response,
  ): Promise<void> {
    const bytes = await this.commitments.publicSheet(actor, q);
    res.status(200);
    res.setHeader(
      'Content-Type',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    res.setHeader('Content-Disposition', contentDisposition(`承诺公示-${q.year ?? '全部'}.xlsx`));
    res.setHeader('Cache-Control', 'private, no-store');
    res.end(bytes);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One commitment with its items, their progress and ratings' })
  @ApiResponse({ status: 200, type: CommitmentResponse })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.get(actor, id));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({ summary: 'The org submits its commitments to the superior → submitted' })
  @ApiResponse({ status: 200, type: CommitmentResponse })
  async submit(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.act(actor, id, 'submit'));
  }

  @Post(':id/approve')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({ summary: '审诺: the superior approves → approved' })
  @ApiResponse({ status: 200, type: CommitmentResponse })
  async approve(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.act(actor, id, 'approve'));
  }

  @Post(':id/return')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({ summary: '审诺: the superior returns them with comments → returned' })
  @ApiResponse({ status: 200, type: CommitmentResponse })
  async return(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CommitmentReturnRequest,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.act(actor, id, 'return', body.comment));
  }

  @Post(':id/publish')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({ summary: '亮诺: the superior publishes approved commitments to the members' })
  @ApiResponse({ status: 200, type: CommitmentResponse })
  async publish(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.act(actor, id, 'publish'));
  }

  @Post(':id/items/:itemId/progress')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({
    summary: '践诺: progress on an item, recorded in the quarter it is reported (quarterly rhythm)',
  })
  @ApiResponse({ status: 200, type: CommitmentResponse })
  async progress(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Param('itemId', uuidParam('itemId')) itemId: string,
    @Body() body: CommitmentProgressRequest,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.progress(actor, id, itemId, body));
  }

  @Post(':id/member-ratings')
  @LoopErrors()
  @ApiOperation({
    summary:
      '党员评诺: a member of the org rates some or all items once each (409 on a second); the tally shows after the superior evaluates',
  })
  @ApiResponse({ status: 201, type: CommitmentResponse })
  async rateAsMember(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: MemberRatingsRequest,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.rateAsMember(actor, id, body.items));
  }

  @Post(':id/evaluation')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({
    summary:
      '评诺: the superior rates every item; an item not fulfilled opens an accountability case',
  })
  @ApiResponse({ status: 200, type: CommitmentResponse })
  async evaluate(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: CommitmentEvaluationRequest,
  ): Promise<CommitmentResponse> {
    return view(await this.commitments.evaluate(actor, id, body.items));
  }
}
