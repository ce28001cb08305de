import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateNested,
} from 'class-validator';
import { PROBLEM_SEVERITIES, type ProblemSeverity } from '#duban/domain';
import { PROBLEM_SOURCES, type ProblemSource } from '#duban/rectification';
import { PaginationQuery } from '../http/pagination.dto';
import { QueryBoolean } from '../http/query-transforms';
import { CreateTaskRequest, TaskResponse } from '../tasks/tasks.dto';

export class CreateProblemRequest {
  @ApiProperty({ example: '第三支部连续两个季度未按规定召开组织生活会' })
  @IsString({ message: 'title must be a string' })
  @Length(1, 200, { message: 'title must be 1-200 characters' })
  title!: string;

  @ApiProperty({ example: '2026年第三季度督查发现，该支部7月、8月支部党员大会无会议记录……' })
  @IsString({ message: 'description must be a string' })
  @Length(0, 10000, { message: 'description must be at most 10000 characters' })
  description!: string;

  @ApiProperty({
    example: 'organisational_life',
    description: 'A code from config/categories.json',
  })
  @IsString({ message: 'category must be a string' })
  @Length(1, 50, { message: 'category must be 1-50 characters' })
  category!: string;

  @ApiProperty({ enum: PROBLEM_SEVERITIES })
  @IsIn(PROBLEM_SEVERITIES, { message: `severity must be one of ${PROBLEM_SEVERITIES.join(', ')}` })
  severity!: ProblemSeverity;

  @ApiProperty({ enum: PROBLEM_SOURCES, description: '来源' })
  @IsIn(PROBLEM_SOURCES, { message: `source must be one of ${PROBLEM_SOURCES.join(', ')}` })
  source!: ProblemSource;

  @ApiProperty({ format: 'uuid', description: 'Where the problem is' })
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The committee raising it: orgId itself or an ancestor',
  })
  @IsUUID('all', { message: 'raisedByOrgId must be a UUID' })
  raisedByOrgId!: string;

  @ApiPropertyOptional({ example: '2026年第四季度党建督查', description: '批次' })
  @IsOptional()
  @IsString({ message: 'campaign must be a string' })
  @Length(1, 200, { message: 'campaign must be 1-200 characters' })
  campaign?: string;

  @ApiPropertyOptional({
    type: [CreateTaskRequest],
    description: 'Measures created in the same request',
  })
  @IsOptional()
  @IsArray({ message: 'tasks must be an array of measures' })
  @ArrayMaxSize(50, { message: 'tasks may list at most 50 measures' })
  @ValidateNested({ each: true })
  @Type(() => CreateTaskRequest)
  tasks?: CreateTaskRequest[];
}

export class ProblemQuery extends PaginationQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'The org and everything below it' })
  @IsOptional()
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId?: string;

  @ApiPropertyOptional({ enum: ['open', 'closed', 'withdrawn'] })
  @IsOptional()
  @IsIn(['open', 'closed', 'withdrawn'], {
    message: 'state must be one of open, closed, withdrawn',
  })
  state?: 'open' | 'closed' | 'withdrawn';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'category must be a string' })
  category?: string;

  @ApiPropertyOptional({ enum: PROBLEM_SEVERITIES })
  @IsOptional()
  @IsIn(PROBLEM_SEVERITIES, { message: `severity must be one of ${PROBLEM_SEVERITIES.join(', ')}` })
  severity?: ProblemSeverity;

  @ApiPropertyOptional({ enum: PROBLEM_SOURCES })
  @IsOptional()
  @IsIn(PROBLEM_SOURCES, { message: `source must be one of ${PROBLEM_SOURCES.join(', ')}` })
  source?: ProblemSource;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'campaign must be a string' })
  campaign?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Problems with an overdue open measure' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    description: '负面清单: problems that came back (屡改屡犯)',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'recurring must be true or false' })
  recurring?: boolean;

  @ApiPropertyOptional({ description: 'Text in the title or description (works for Chinese)' })
  @IsOptional()
  @IsString({ message: 'q must be a string' })
  @Length(1, 100, { message: 'q must be 1-100 characters' })
  q?: string;
}

export class ProblemResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty() category!: string;
  @ApiProperty() categoryName!: string;
  @ApiProperty({ enum: PROBLEM_SEVERITIES }) severity!: ProblemSeverity;
  @ApiProperty({ enum: PROBLEM_SOURCES }) source!: ProblemSource;
  @ApiProperty({ type: String, nullable: true }) campaign!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: '督查 campaign' })
  campaignId!: string | null;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({ format: 'uuid' }) raisedByOrgId!: string;
  @ApiProperty({ format: 'uuid' }) raisedBy!: string;
  @ApiProperty({
    enum: ['open', 'closed', 'withdrawn'],
    description: 'closed once every task is closed; withdrawn (撤回) when raised in error',
  })
  state!: 'open' | 'closed' | 'withdrawn';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) withdrawnAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) withdrawReason!: string | null;
  @ApiProperty() taskCount!: number;
  @ApiProperty() openTaskCount!: number;
  @ApiProperty({ description: '屡改屡犯' }) recurring!: boolean;
  @ApiProperty() recurrenceCount!: number;
  @ApiProperty({ type: [String], format: 'uuid' }) recurrenceOf!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
}

export class ProblemDetailResponse extends ProblemResponse {
  @ApiProperty({ type: [TaskResponse] }) tasks!: TaskResponse[];
  @ApiPropertyOptional({ type: [String] }) warnings?: string[];
}

export class ProblemPage {
  @ApiProperty({ type: [ProblemResponse] }) items!: ProblemResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class CategoryResponse {
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
}

export class EditProblemRequest {
  @ApiPropertyOptional({ example: '第三支部连续两个季度未按规定召开组织生活会' })
  @IsOptional()
  @IsString({ message: 'title must be a string' })
  @Length(1, 200, { message: 'title must be 1-200 characters' })
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @Length(0, 10000, { message: 'description must be at most 10000 characters' })
  description?: string;

  @ApiProperty({ example: '标题中的支部名称有误', description: 'Why (kept in the record)' })
  @IsString({ message: 'reason must be a string' })
  @Length(1, 500, { message: 'reason must be 1-500 characters' })
  reason!: string;
}

export class WithdrawProblemRequest {
  @ApiProperty({ example: '误将其他支部的问题录入', description: 'Why (kept in the record)' })
  @IsString({ message: 'reason must be a string' })
  @Length(1, 500, { message: 'reason must be 1-500 characters' })
  reason!: string;
}
