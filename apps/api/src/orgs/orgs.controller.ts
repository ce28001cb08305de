import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, invalid, type Role, ROLES } from '#duban/domain';
import { OrgsService } from '#duban/identity';
import { AdministrationService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { PaginationQuery } from '../http/pagination.dto';
import { uuidParam } from '../http/uuid.pipe';
import {
  AssignRoleRequest,
  CreateOrgRequest,
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
      throw invalid('role', `role：角色须为 ${ROLES.join('、')} 之一 — role must be one of ${ROLES.join(', ')}`);
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
  ) {}

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
  @ApiOperation({ summary: 'Who holds which role in an organisation' })
  @ApiResponse({ status: 200, type: [RoleRecordResponse] })
  roles(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
    @Query() query: RoleHistoryQuery,
  ): Promise<OrgMemberResponse[]> {
    return query.history ? this.admin.roles(actor, orgId, true) : this.orgs.roles(actor, orgId);
  }
}
