import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
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
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { type Actor, invalid, type Role, ROLES } from '#duban/domain';
import { OrgsService } from '#duban/identity';
import { AdministrationService, ORG_IMPORT_MAX_ROWS, OrgImportService } from '#duban/rectification';
import { ImportErrorFilter } from '../reports/import-error.filter';
import { LEDGER_FILE_FIELD, LedgerUploadInterceptor } from '../reports/ledger-upload.interceptor';
import { ImportRejectedResponse } from '../reports/reports.dto';
import { CurrentActor } from '../auth/decorators';
import { PaginationQuery } from '../http/pagination.dto';
import { uuidParam } from '../http/uuid.pipe';
import {
  AssignRoleRequest,
  CreateOrgRequest,
  OrgImportQuery,
  OrgImportResultResponse,
  OrgImportUploadRequest,
  OrgMemberResponse,
  OrgPage,
  OrgResponse,
  OrgSearchQuery,
  RoleAssignmentResponse,
  RoleHistoryQuery,
  RoleRecordResponse,
  UpdateOrgRequest,
} from './orgs.dto';

/** The role in a path: one of ROLES, else 400 naming it. */
const rolePipe = {
  transform(value: string): Role {
    if (!(ROLES as readonly string[]).includes(value))
      throw invalid(
        'role',
        `role：角色须为 ${ROLES.join('、')} 之一 — role must be one of ${ROLES.join(', ')}`,
      );
    return value as Role;
  },
};

@ApiTags('organisations')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'A field is missing or invalid; the message names it' })
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/orgs')
export class OrgsController {
  constructor(
    private readonly orgs: OrgsService,
    private readonly admin: AdministrationService,
    private readonly imports: OrgImportService,
  ) {}

  @Post('import')
  @UseInterceptors(LedgerUploadInterceptor)
  @UseFilters(ImportErrorFilter)
  @ApiOperation({
    summary:
      '导入组织与人员: the org tree and its people with roles, from xlsx/csv, all or nothing',
    description:
      'Multipart field `file`. Header row (Chinese): 上级组织, 组织名称, 组织类型, 时区 (optional), ' +
      '姓名, 用户名, 角色, 邮箱, 手机 — person columns optional. One row = one org (found when it ' +
      'already exists under that parent, else created; 组织类型 党委/党总支/党支部/党小组/工委) and ' +
      'optionally one person with one role in it (角色 书记/副书记/督查员/成员/纪检/管理员). ' +
      '上级组织 names an org in your scope or an earlier row; write 城关镇党委/第一支部 when a name is ' +
      'not unique. People are found by 用户名; new accounts (admins only) get a generated initial ' +
      'password, returned once in `newUsers`. Everything happens within your scope and rights. ' +
      'If any row is wrong, the 400 lists every error by row and column and nothing is imported. ' +
      `At most ${ORG_IMPORT_MAX_ROWS} rows. dryRun=true checks and answers 200 without writing.`,
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: OrgImportUploadRequest })
  @ApiResponse({ status: 201, type: OrgImportResultResponse, description: 'Everything imported' })
  @ApiResponse({
    status: 200,
    type: OrgImportResultResponse,
    description: 'Dry run: all rows valid',
  })
  @ApiResponse({
    status: 400,
    type: ImportRejectedResponse,
    description: 'Nothing imported; `rows` lists every error',
  })
  @ApiResponse({ status: 413, description: `More than ${ORG_IMPORT_MAX_ROWS} rows, or too large` })
  @ApiResponse({ status: 415, description: 'Not an xlsx or csv file' })
  async importOrgs(
    @CurrentActor() actor: Actor,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Query() query: OrgImportQuery,
    @Body() body: OrgImportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrgImportResultResponse> {
    if (!file) {
      throw invalid(
        LEDGER_FILE_FIELD,
        `${LEDGER_FILE_FIELD}：缺少文件，请以 multipart/form-data 的 "${LEDGER_FILE_FIELD}" 字段上传 — missing file`,
      );
    }
    const dryRun = body.dryRun ?? query.dryRun ?? false;
    const result = await this.imports.importOrgs(actor, file.buffer, dryRun);
    res.status(dryRun ? 200 : 201);
    return result;
  }

  @Post()
  @ApiOperation({ summary: 'Create an organisation (admin, or a secretary above the new org)' })
  @ApiResponse({ status: 201, type: OrgResponse })
  @ApiResponse({ status: 403, description: 'Caller may not create organisations here' })
  @ApiResponse({ status: 404, description: 'Parent not found within the caller’s scope' })
  @ApiResponse({ status: 409, description: 'A sibling with that name exists' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateOrgRequest): Promise<OrgResponse> {
    return this.orgs.create(actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'Organisations within the caller’s scope, by name, kind or subtree' })
  @ApiResponse({ status: 200, type: OrgPage })
  @ApiResponse({
    status: 404,
    description: '`under`: no such organisation within the caller’s scope',
  })
  search(@CurrentActor() actor: Actor, @Query() query: OrgSearchQuery): Promise<OrgPage> {
    return this.orgs.search(actor, query, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One organisation' })
  @ApiResponse({ status: 200, type: OrgResponse })
  @ApiResponse({ status: 404, description: 'Not found within the caller’s scope' })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<OrgResponse> {
    return this.orgs.get(actor, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Rename (改名) or deactivate (停用) an organisation',
    description:
      'Admin over the org, or a secretary above it. An inactive org gets no new problems or ' +
      'tasks (400 code `org_inactive`); what it has stays. Recorded in the audit log.',
  })
  @ApiResponse({ status: 200, type: OrgResponse })
  @ApiResponse({ status: 403, description: 'Caller may not change this organisation' })
  @ApiResponse({ status: 404, description: 'Not found within the caller’s scope' })
  @ApiResponse({ status: 409, description: 'A sibling with that name exists' })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdateOrgRequest,
  ): Promise<OrgResponse> {
    await this.admin.updateOrg(actor, id, body);
    return this.orgs.get(actor, id);
  }

  @Get(':id/children')
  @ApiOperation({ summary: 'The organisations directly below one' })
  @ApiResponse({ status: 200, type: OrgPage })
  @ApiResponse({ status: 404, description: 'Not found within the caller’s scope' })
  children(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Query() page: PaginationQuery,
  ): Promise<OrgPage> {
    return this.orgs.children(actor, id, page);
  }

  @Post(':orgId/roles')
  @ApiOperation({ summary: 'Give a user a role in an organisation' })
  @ApiResponse({ status: 201, type: RoleAssignmentResponse })
  @ApiResponse({ status: 403, description: 'Caller may not assign this role here' })
  @ApiResponse({ status: 404, description: 'Org or user not found' })
  @ApiResponse({ status: 409, description: 'The user already holds this role here' })
  assignRole(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Body() body: AssignRoleRequest,
  ): Promise<RoleAssignmentResponse> {
    return this.admin.grantRole(actor, orgId, body.userId, body.role);
  }

  @Delete(':orgId/roles/:userId/:role')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a role (撤销); the grant stays in the history with who revoked it and when',
  })
  // Said explicitly: the parameter's TypeScript type (a union) carries no metadata of its own.
  @ApiParam({ name: 'role', enum: ROLES })
  @ApiResponse({ status: 200, type: RoleRecordResponse })
  @ApiResponse({ status: 403, description: 'Caller may not revoke this role here' })
  @ApiResponse({ status: 404, description: 'Org not found, or the user holds no such role here' })
  revokeRole(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Param('userId', uuidParam('userId')) userId: string,
    @Param('role', rolePipe) role: Role,
  ): Promise<RoleRecordResponse> {
    return this.admin.revokeRole(actor, orgId, userId, role);
  }

  @Get(':orgId/roles')
  @ApiOperation({
    summary: 'Who holds which role in an organisation',
    description:
      'The live grants. With history=true: every grant and revocation, newest first, with ' +
      'grantedByName, revokedAt, revokedBy and revokedByName.',
  })
  @ApiResponse({ status: 200, type: [RoleRecordResponse] })
  roles(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Query() query: RoleHistoryQuery,
  ): Promise<OrgMemberResponse[]> {
    return query.history ? this.admin.roles(actor, orgId, true) : this.orgs.roles(actor, orgId);
  }
}
