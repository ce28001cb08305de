import { Controller, Get, Logger, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '#duban/domain';
import { contentDisposition } from '#duban/evidence';
import {
  CircularsService,
  DOCX_CONTENT_TYPE,
  LedgerService,
  ReportsService,
} from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import {
  CircularQueryDto,
  LedgerQueryDto,
  QuarterCircularResponse,
  QuarterQueryDto,
  QuarterSummaryResponse,
} from './reports.dto';

@ApiTags('reports (台账 / 统计 / 通报)')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'A query parameter is invalid; the message names it' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 404, description: 'The org does not exist or is outside your scope' })
@Controller('api/v1/reports')
export class ReportsController {
  private readonly logger = new Logger(ReportsController.name);

  constructor(
    private readonly ledgers: LedgerService,
    private readonly reports: ReportsService,
    private readonly circulars: CircularsService,
  ) {}

  @Get('ledger')
  @ApiOperation({
    summary: '台账: the ledger, one row per measure, as xlsx or csv (streamed)',
    description:
      'Columns (zh-CN headers): 序号, 问题标题, 问题描述, 问题分类, 严重程度, 问题来源, 批次, ' +
      '问题所在单位, 立项单位, 整改措施, 整改方式, 责任单位, 责任人, 分管领导, 整改时限, 状态, 预警, ' +
      '升级级别, 销号日期, 负面清单 — the layout POST /api/v1/problems/import reads back. Rows of your ' +
      'scope only; filters as GET /api/v1/tasks. CSV is UTF-8 with a byte order mark.',
  })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiResponse({
    status: 200,
    description: 'The file, as a download named 台账-<org>-<date>.<format>',
    schema: { type: 'string', format: 'binary' },
  })
  async ledger(
    @CurrentActor() actor: Actor,
    @Query() q: LedgerQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const ledger = await this.ledgers.prepare(actor, { ...q, format: q.format ?? 'xlsx' });
    res.status(200);
    res.setHeader('Content-Type', ledger.contentType);
    res.setHeader('Content-Disposition', contentDisposition(ledger.fileName));
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      await ledger.writeTo(res);
    } catch (e) {
      if (!res.headersSent) throw e;
      // Half a file has gone out: cut the connection so the client sees a failed download.
      this.logger.error(`ledger export failed mid-stream: ${(e as Error).message}`);
      res.destroy(e as Error);
    }
  }

  @Get('summary')
  @ApiOperation({
    summary: 'Quarter summary of an org’s subtree, and of each child org',
    description:
      'Counts by state and light, on-time rate, overdue, escalations by highest level reached ' +
      'and recurring problems (屡改屡犯), for the whole subtree, the org itself and each child ' +
      'org with its subtree.',
  })
  @ApiResponse({ status: 200, type: QuarterSummaryResponse })
  summary(
    @CurrentActor() actor: Actor,
    @Query() q: QuarterQueryDto,
  ): Promise<QuarterSummaryResponse> {
    return this.reports.summary(actor, q.orgId, q.quarter);
  }

  @Get('circular')
  @ApiOperation({
    summary: '通报: the measures named in the quarter’s circulated notice',
    description:
      'Measures under the org that reached the 通报 level of the ladder within the quarter, ' +
      'with unit, measure, deadline, level, responsible person and leader in charge; and the ' +
      'responsible units with the worst on-time rate. With format=docx: the 通报 as a Word ' +
      'document laid out after GB/T 9704 (标题, 文号, 主送, 总体情况, 好的做法, 存在问题, ' +
      '下一步要求, 落款 and date), with the figures of the summary; a draft, not archived — ' +
      'POST /api/v1/circulars issues it.',
  })
  @ApiProduces('application/json', DOCX_CONTENT_TYPE)
  @ApiResponse({
    status: 200,
    type: QuarterCircularResponse,
    description: 'JSON by default; with format=docx the .docx (schema: binary)',
  })
  async circular(
    @CurrentActor() actor: Actor,
    @Query() q: CircularQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<QuarterCircularResponse | StreamableFile> {
    if (q.format !== 'docx') return this.reports.circular(actor, q.orgId, q.quarter);
    const doc = await this.circulars.draft(actor, q.orgId, q.quarter);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(doc.content, {
      type: DOCX_CONTENT_TYPE,
      length: doc.content.length,
      disposition: contentDisposition(doc.fileName),
    });
  }
}
