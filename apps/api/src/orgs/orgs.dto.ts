import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { ORG_KINDS, ROLES, type OrgKind, type Role } from '#duban/domain';
import { PaginationQuery } from '../http/pagination.dto';
import { QueryBoolean } from '../http/query-transforms';

export class CreateOrgRequest {
  @ApiProperty({ example: '城关镇党委' })
  @IsString({ message: 'name must be a string' })
  @Length(1, 200, { message: 'name must be 1-200 characters' })
  name!: string;

  @ApiProperty({ enum: ORG_KINDS })
  @IsIn(ORG_KINDS, { message: `kind must be one of ${ORG_KINDS.join(', ')}` })
  kind!: OrgKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Omit for a top-level organisation' })
  @IsOptional()
  @IsUUID('all', { message: 'parentId must be a UUID' })
  parentId?: string;

  @ApiPropertyOptional({
    example: 'Asia/Shanghai',
    description: "IANA time zone; defaults to the parent's",
  })
  @IsOptional()
  @IsString({ message: 'timeZone must be a string' })
  timeZone?: string;
}

export class OrgResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORG_KINDS }) kind!: OrgKind;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ type: [String], description: 'Ids from the root down to this org' })
  path!: string[];
  @ApiProperty() depth!: number;
  @ApiProperty() timeZone!: string;
  @ApiProperty() childCount!: number;
  @ApiProperty({ description: 'false once deactivated (已停用): gets no new problems or tasks' })
  active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class OrgPage {
  @ApiProperty({ type: [OrgResponse] }) items!: OrgResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class OrgSearchQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'Part of the name' })
  @IsOptional()
  @IsString({ message: 'q must be a string' })
  @Length(1, 100, { message: 'q must be 1-100 characters' })
  q?: string;

  @ApiPropertyOptional({ enum: ORG_KINDS })
  @IsOptional()
  @IsIn(ORG_KINDS, { message: `kind must be one of ${ORG_KINDS.join(', ')}` })
  kind?: OrgKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this org and those below it' })
  @IsOptional()
  @IsUUID('all', { message: 'under must be a UUID' })
  under?: string;
}

export class AssignRoleRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;
}

export class RoleAssignmentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) grantedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class OrgMemberResponse extends RoleAssignmentResponse {
  @ApiProperty() displayName!: string;
}

export class UpdateOrgRequest {
  @ApiPropertyOptional({ example: '城关镇党委', description: 'A new name (改名)' })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @Length(1, 200, { message: 'name must be 1-200 characters' })
  name?: string;

  @ApiPropertyOptional({
    description: 'false deactivates (停用): no new problems or tasks; existing ones stay',
  })
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

export class RoleHistoryQuery {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'true: every grant and revocation, with who and when, newest first',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'history must be true or false' })
  history?: boolean;
}

export class RoleRecordResponse extends OrgMemberResponse {
  @ApiProperty({ type: String, nullable: true }) grantedByName!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: '撤销时间' })
  revokedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) revokedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedByName!: string | null;
}

export class OrgImportQuery {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Check every row and report, import nothing',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

export class OrgImportUploadRequest {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description:
      '.xlsx or .csv with the header row 上级组织, 组织名称, 组织类型, 时区 (optional), 姓名, 用户名, 角色, 邮箱, 手机',
  })
  file!: unknown;

  @ApiPropertyOptional({ type: Boolean, description: 'May be given here instead of the query' })
  dryRun?: boolean;
}

export class ImportedUserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ description: 'Generated; shown this once, hand it over and have it changed' })
  initialPassword!: string;
}

export class OrgImportResultResponse {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ description: 'Organisations created (or that would be, on a dry run)' })
  orgsCreated!: number;
  @ApiProperty({ description: 'Rows whose organisation already existed' }) orgsFound!: number;
  @ApiProperty() usersCreated!: number;
  @ApiProperty() rolesGranted!: number;
  @ApiProperty({ type: [ImportedUserResponse], description: 'Empty on a dry run' })
  newUsers!: ImportedUserResponse[];
}
