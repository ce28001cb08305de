import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { OrgsService } from '#duban/identity';
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
} from './orgs.dto';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'A field is missing or invalid; the message names it' })
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/orgs')
export class OrgsController {
  constructor(private readonly orgs: OrgsService) {}

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
    return this.orgs.assignRole(actor, orgId, body.userId, body.role);
  }

  @Get(':orgId/roles')
  @ApiOperation({ summary: 'Who holds which role in an organisation' })
  @ApiResponse({ status: 200, type: [OrgMemberResponse] })
  roles(
    @CurrentActor() actor: Actor,
    @Param('orgId', uuidParam('orgId')) orgId: string,
  ): Promise<OrgMemberResponse[]> {
    return this.orgs.roles(actor, orgId);
  }
}
