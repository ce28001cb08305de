import {
  Body,
  Controller,
  Post,
  Query,
  Res,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '#duban/domain';
import { invalid } from '#duban/domain';
import { IMPORT_MAX_ROWS, ProblemImportService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { ImportErrorFilter } from './import-error.filter';
import {
  LEDGER_FILE_FIELD,
  LEDGER_MAX_BYTES,
  LedgerUploadInterceptor,
} from './ledger-upload.interceptor';
import {
  DuplicateImportResponse,
  ImportOptionsDto,
  ImportRejectedResponse,
  ImportResultResponse,
  ImportUploadRequest,
} from './reports.dto';

@ApiTags('problems (问题清单)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class ProblemImportController {
  constructor(private readonly imports: ProblemImportService) {}

  @Post('problems/import')
  @UseInterceptors(LedgerUploadInterceptor)
  @UseFilters(ImportErrorFilter)
  @ApiOperation({
    summary: '导入问题清单: import problems and measures from a ledger file, all or nothing',
    description:
      'Multipart field `file`: .xlsx or .csv in the ledger layout of GET /api/v1/reports/ledger ' +
      '(columns found by header name, extra columns ignored). Rows with the same 问题标题, ' +
      '问题所在单位 and 批次 are one problem with several measures; problem columns may be left ' +
      'blank below the first row of a problem. Orgs are matched by exact name within the raising ' +
      'org’s subtree (write 第一党总支/第一支部 where a name is not unique); people by username ' +
      'or display name (责任人 in the responsible unit, 分管领导 there or above). Every row is ' +
      'checked; if any fails, the 400 lists every error by row and column and nothing is ' +
      `imported. At most ${IMPORT_MAX_ROWS} rows and ${LEDGER_MAX_BYTES / (1024 * 1024)} MiB. ` +
      'dryRun=true checks everything (in a transaction rolled back) and answers 200. ' +
      'A file imported before for the same raising org (the same bytes, or the same problems: ' +
      'titles, orgs, batches and measures) is refused with 409 `duplicate_import` naming the ' +
      'earlier import, unless force=true.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportUploadRequest })
  @ApiResponse({ status: 201, type: ImportResultResponse, description: 'Everything imported' })
  @ApiResponse({ status: 200, type: ImportResultResponse, description: 'Dry run: all rows valid' })
  @ApiResponse({
    status: 400,
    type: ImportRejectedResponse,
    description: 'Nothing imported; `rows` lists every error by sheet row and column header',
  })
  @ApiResponse({
    status: 403,
    description: 'Only the raising org’s secretary, deputy or supervisor may import',
  })
  @ApiResponse({ status: 404, description: 'raisedByOrgId not found within your scope' })
  @ApiResponse({
    status: 409,
    type: DuplicateImportResponse,
    description: 'Imported before (same file or same problems); `earlierImport` says which',
  })
  @ApiResponse({ status: 413, description: `More than ${IMPORT_MAX_ROWS} rows, or too large` })
  @ApiResponse({ status: 415, description: 'Not an xlsx or csv file (e.g. a legacy .xls)' })
  async importLedger(
    @CurrentActor() actor: Actor,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Query() query: ImportOptionsDto,
    @Body() body: ImportOptionsDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportResultResponse> {
    if (!file) {
      throw invalid(
        LEDGER_FILE_FIELD,
        `请上传台账文件（multipart/form-data，字段“${LEDGER_FILE_FIELD}”） — ${LEDGER_FILE_FIELD}: missing; send the ledger as multipart/form-data in the field "${LEDGER_FILE_FIELD}"`,
      );
    }
    const raisedByOrgId = body.raisedByOrgId ?? query.raisedByOrgId;
    if (!raisedByOrgId) {
      throw invalid(
        'raisedByOrgId',
        'raisedByOrgId: required — the id of the committee raising the problems (立项单位)',
      );
    }
    const dryRun = body.dryRun ?? query.dryRun ?? false;
    const force = body.force ?? query.force ?? false;
    const result = await this.imports.importLedger(actor, file.buffer, {
      raisedByOrgId,
      dryRun,
      force,
      fileName: file.originalname,
    });
    res.status(dryRun ? 200 : 201);
    return result;
  }
}
