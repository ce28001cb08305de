import { Body, Controller, Get, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '#duban/domain';
import { contentDisposition } from '#duban/evidence';
import { CircularsService, DOCX_CONTENT_TYPE } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import {
  CircularPage,
  CircularQuery,
  CircularResponse,
  IssueCircularRequest,
  IssuedCircularResponse,
} from './circulars.dto';

const NOT_VISIBLE =
  'Not found, or not yours to read: the issuing org’s subtree and the orgs above it only';

@ApiTags('circulars (通报)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/circulars')
export class CircularsController {
  constructor(private readonly circulars: CircularsService) {}

  @Post()
  @ApiOperation({
    summary:
      '印发通报: renders the quarter’s 通报 once, archives it unchanged, sends it to the orgs it names',
    description:
      'The .docx of GET /reports/circular?format=docx, rendered now and archived byte for byte; ' +
      'its SHA-256 goes into the audit record (stream `circular`, event `issued`). The ' +
      'secretaries of the orgs it names (主送: the child orgs) get an in-app notice ' +
      '(`circular_issued`) linking to GET /circulars/{id}/document. One per org and quarter.',
  })
  @ApiResponse({ status: 201, type: IssuedCircularResponse })
  @ApiResponse({ status: 400, description: 'orgId or quarter is invalid; the message names it' })
  @ApiResponse({
    status: 403,
    description: 'Only the org’s secretary, deputy or administrator (or the system admin)',
  })
  @ApiResponse({ status: 404, description: 'The org is not within your scope' })
  @ApiResponse({
    status: 409,
    description: 'Already issued for this org and quarter (code circular_exists); never replaced',
  })
  async issue(
    @CurrentActor() actor: Actor,
    @Body() body: IssueCircularRequest,
  ): Promise<IssuedCircularResponse> {
    const c = await this.circulars.issue(actor, body.orgId, body.quarter);
    return { id: c.id, quarter: c.quarter, sha256: c.sha256, issuedAt: c.issuedAt };
  }

  @Get()
  @ApiOperation({
    summary: 'Issued circulars you may read, newest quarter first',
    description: 'With orgId: those the org issued or that name it (主送).',
  })
  @ApiResponse({ status: 200, type: CircularPage })
  list(@CurrentActor() actor: Actor, @Query() q: CircularQuery): Promise<CircularPage> {
    return this.circulars.list(actor, q.orgId, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An issued circular: who issued it, when, whom it names, its SHA-256' })
  @ApiResponse({ status: 200, type: CircularResponse })
  @ApiResponse({ status: 404, description: NOT_VISIBLE })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CircularResponse> {
    return this.circulars.get(actor, id);
  }

  @Get(':id/document')
  @ApiOperation({
    summary: 'The archived .docx, byte for byte as issued',
    description: 'X-Content-SHA256 carries the SHA-256 recorded when it was issued.',
  })
  @ApiProduces(DOCX_CONTENT_TYPE)
  @ApiResponse({
    status: 200,
    description: 'The .docx as a download named after its title',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 404, description: NOT_VISIBLE })
  async document(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const c = await this.circulars.document(actor, id);
    res.setHeader('X-Content-SHA256', c.sha256);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-cache');
    return new StreamableFile(c.content, {
      type: DOCX_CONTENT_TYPE,
      length: c.content.length,
      disposition: contentDisposition(c.fileName),
    });
  }
}
