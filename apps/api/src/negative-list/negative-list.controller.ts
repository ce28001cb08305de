import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { type Actor, NEGATIVE_REASON_LABELS } from '#duban/domain';
import { contentDisposition } from '#duban/evidence';
import { csvLine, NegativeListService, UTF8_BOM } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { LiftRequest, NegativeListEntryResponse, NegativeListQuery } from './negative-list.dto';

const CSV_HEADERS = [
  '类型',
  '对象',
  '列入原因',
  '列入时间',
  '最近原因时间',
  '状态',
  '移出时间',
  '移出理由',
];

@ApiTags('negative list (负面清单)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/negative-list')
export class NegativeListController {
  constructor(private readonly negativeList: NegativeListService) {}

  @Get()
  @ApiOperation({
    summary:
      'Units and persons on the negative list in your scope, with their reasons (format=csv to export)',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, type: [NegativeListEntryResponse] })
  @ApiResponse({ status: 404, description: 'orgId not found within your scope' })
  async list(
    @CurrentActor() actor: Actor,
    @Query() q: NegativeListQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NegativeListEntryResponse[] | string> {
    const entries = await this.negativeList.list(actor, q);
    if (q.format !== 'csv') return entries;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', contentDisposition('负面清单.csv'));
    res.setHeader('Cache-Control', 'private, no-store');
    return (
      UTF8_BOM +
      csvLine(CSV_HEADERS) +
      entries
        .map((e) =>
          csvLine([
            e.subjectType === 'org' ? '单位' : '个人',
            e.subjectName,
            e.reasons.map((r) => NEGATIVE_REASON_LABELS[r.kind] ?? r.kind).join('；'),
            e.since,
            e.lastReasonAt,
            e.listed ? '在列' : e.liftKind === 'lifted' ? '提前移出' : '期满移出',
            e.liftedAt ?? '',
            e.liftReason ?? '',
          ]),
        )
        .join('')
    );
  }

  @Post(':id/lift')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Lift an entry before its 12 clean months, with a written reason (secretary of the raising org or above)',
  })
  @ApiBody({ type: LiftRequest })
  @ApiResponse({ status: 200, type: NegativeListEntryResponse })
  @ApiResponse({ status: 400, description: 'reason missing' })
  @ApiResponse({ status: 403, description: 'Not a secretary of the raising org or above' })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  @ApiResponse({ status: 409, description: 'No longer listed (code `not_listed`)' })
  lift(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: LiftRequest,
  ): Promise<NegativeListEntryResponse> {
    return this.negativeList.lift(actor, id, body.reason);
  }
}
