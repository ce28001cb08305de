import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CAMPAIGN_KINDS,
  CAMPAIGN_STATES,
  type CampaignKind,
  type CampaignState,
  ORG_KINDS,
  type OrgKind,
  PROBLEM_SEVERITIES,
  type ProblemSeverity,
} from '#duban/domain';
import { PaginationQuery } from '../http/pagination.dto';
import { ProblemDetailResponse } from '../problems/problems.dto';
import { CreateTaskRequest } from '../tasks/tasks.dto';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ChecklistItemRequest {
  @ApiProperty({ example: 'A1', description: '清单编号, unique within the campaign' })
  @IsString({ message: 'code 应为字符串' })
  @Length(1, 20, { message: 'code 应为 1-20 个字符' })
  code!: string;

  @ApiProperty({ example: '“三会一课”是否按规定开展' })
  @IsString({ message: 'title 应为字符串' })
  @Length(1, 200, { message: 'title 应为 1-200 个字符' })
  title!: string;

  @ApiProperty({ example: 'organisational_life', description: 'A code from GET /categories' })
  @IsString({ message: 'category 应为字符串' })
  @Length(1, 50, { message: 'category 应为 1-50 个字符' })
  category!: string;
}

export class TargetDrawRequest {
  @ApiProperty({ format: 'uuid', description: 'Draw among the orgs below this one' })
  @IsUUID('all', { message: 'withinOrgId 应为 UUID' })
  withinOrgId!: string;

  @ApiPropertyOptional({ enum: ORG_KINDS, description: 'Only orgs of this kind, e.g. branch' })
  @IsOptional()
  @IsIn(ORG_KINDS, { message: `orgKind 应为 ${ORG_KINDS.join(', ')} 之一` })
  orgKind?: OrgKind;

  @ApiProperty({ minimum: 1, maximum: 1000, example: 5 })
  @IsInt({ message: 'count 应为正整数' })
  @Min(1, { message: 'count 至少为 1' })
  @Max(1000, { message: 'count 至多为 1000' })
  count!: number;

  @ApiPropertyOptional({
    example: '2026Q4-县委随机抽查',
    description:
      'The same seed over the same population draws the same targets; random when omitted',
  })
  @IsOptional()
  @IsString({ message: 'seed 应为字符串' })
  @Length(1, 200, { message: 'seed 应为 1-200 个字符' })
  seed?: string;
}

export class CreateCampaignRequest {
  @ApiProperty({ example: '2026年第四季度基层党建随机抽查' })
  @IsString({ message: 'name 应为字符串' })
  @Length(1, 200, { message: 'name 应为 1-200 个字符' })
  name!: string;

  @ApiProperty({ enum: CAMPAIGN_KINDS, description: '季度督查 | 巡回督查 | 专项督查 | 随机抽查' })
  @IsIn(CAMPAIGN_KINDS, { message: `kind 应为 ${CAMPAIGN_KINDS.join(', ')} 之一` })
  kind!: CampaignKind;

  @ApiProperty({ format: 'uuid', description: 'The committee raising the campaign' })
  @IsUUID('all', { message: 'raisedByOrgId 应为 UUID' })
  raisedByOrgId!: string;

  @ApiProperty({ format: 'date', example: '2026-12-01' })
  @Matches(DATE, { message: 'startsOn 应为日期 YYYY-MM-DD' })
  startsOn!: string;

  @ApiProperty({ format: 'date', example: '2026-12-20' })
  @Matches(DATE, { message: 'endsOn 应为日期 YYYY-MM-DD' })
  endsOn!: string;

  @ApiProperty({ format: 'uuid', description: '组长: a supervisor at or above the raising org' })
  @IsUUID('all', { message: 'leaderUserId 应为 UUID' })
  leaderUserId!: string;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: '督查组: supervisors at or above the raising org (the leader is added)',
  })
  @IsArray({ message: 'teamUserIds 应为数组' })
  @ArrayMaxSize(50, { message: 'teamUserIds 至多 50 人' })
  @IsUUID('all', { each: true, message: 'teamUserIds 的每一项应为 UUID' })
  teamUserIds!: string[];

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Chosen targets below the raising org (or give targetDraw)',
  })
  @IsOptional()
  @IsArray({ message: 'targetOrgIds 应为数组' })
  @ArrayMaxSize(1000, { message: 'targetOrgIds 至多 1000 个' })
  @IsUUID('all', { each: true, message: 'targetOrgIds 的每一项应为 UUID' })
  targetOrgIds?: string[];

  @ApiPropertyOptional({
    type: TargetDrawRequest,
    description: '四不两直: targets drawn at random; the seed and population are recorded',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => TargetDrawRequest)
  targetDraw?: TargetDrawRequest;

  @ApiPropertyOptional({ type: [ChecklistItemRequest], description: '督查清单' })
  @IsOptional()
  @IsArray({ message: 'checklist 应为数组' })
  @ArrayMaxSize(100, { message: 'checklist 至多 100 项' })
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemRequest)
  checklist?: ChecklistItemRequest[];
}

export class FindingRequest {
  @ApiProperty({ format: 'uuid', description: 'One of the campaign’s targets' })
  @IsUUID('all', { message: 'targetOrgId 应为 UUID' })
  targetOrgId!: string;

  @ApiPropertyOptional({ example: 'A1', description: 'The checklist item it answers' })
  @IsOptional()
  @IsString({ message: 'checklistCode 应为字符串' })
  @Length(1, 20, { message: 'checklistCode 应为 1-20 个字符' })
  checklistCode?: string;

  @ApiProperty({ example: '支部委员会会议记录缺失' })
  @IsString({ message: 'title 应为字符串' })
  @Length(1, 200, { message: 'title 应为 1-200 个字符' })
  title!: string;

  @ApiProperty({ example: '现场查阅发现，9月、10月支委会无会议记录。' })
  @IsString({ message: 'description 应为字符串' })
  @Length(0, 10000, { message: 'description 至多 10000 个字符' })
  description!: string;

  @ApiProperty({ example: 'organisational_life' })
  @IsString({ message: 'category 应为字符串' })
  @Length(1, 50, { message: 'category 应为 1-50 个字符' })
  category!: string;

  @ApiProperty({ enum: PROBLEM_SEVERITIES })
  @IsIn(PROBLEM_SEVERITIES, { message: `severity 应为 ${PROBLEM_SEVERITIES.join(', ')} 之一` })
  severity!: ProblemSeverity;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: '佐证材料 (POST /attachments)',
  })
  @IsOptional()
  @IsArray({ message: 'attachmentIds 应为数组' })
  @ArrayMaxSize(50, { message: 'attachmentIds 至多 50 个' })
  @IsUUID('all', { each: true, message: 'attachmentIds 的每一项应为 UUID' })
  attachmentIds?: string[];

  @ApiPropertyOptional({ type: [CreateTaskRequest], description: 'Measures, as in POST /problems' })
  @IsOptional()
  @IsArray({ message: 'tasks 应为数组' })
  @ArrayMaxSize(50, { message: 'tasks 至多 50 项' })
  @ValidateNested({ each: true })
  @Type(() => CreateTaskRequest)
  tasks?: CreateTaskRequest[];
}

const single = (o: { findings?: unknown }) => o.findings === undefined;

/** One finding, or `{findings: [...]}` for many at once (all or none). */
export class RecordFindingsRequest {
  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf(single)
  @IsUUID('all', { message: 'targetOrgId 应为 UUID' })
  targetOrgId?: string;

  @ApiPropertyOptional()
  @ValidateIf((o: RecordFindingsRequest) => single(o) && o.checklistCode !== undefined)
  @IsString({ message: 'checklistCode 应为字符串' })
  @Length(1, 20, { message: 'checklistCode 应为 1-20 个字符' })
  checklistCode?: string;

  @ApiPropertyOptional()
  @ValidateIf(single)
  @IsString({ message: 'title 应为字符串' })
  @Length(1, 200, { message: 'title 应为 1-200 个字符' })
  title?: string;

  @ApiPropertyOptional()
  @ValidateIf(single)
  @IsString({ message: 'description 应为字符串' })
  @Length(0, 10000, { message: 'description 至多 10000 个字符' })
  description?: string;

  @ApiPropertyOptional()
  @ValidateIf(single)
  @IsString({ message: 'category 应为字符串' })
  @Length(1, 50, { message: 'category 应为 1-50 个字符' })
  category?: string;

  @ApiPropertyOptional({ enum: PROBLEM_SEVERITIES })
  @ValidateIf(single)
  @IsIn(PROBLEM_SEVERITIES, { message: `severity 应为 ${PROBLEM_SEVERITIES.join(', ')} 之一` })
  severity?: ProblemSeverity;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @ValidateIf((o: RecordFindingsRequest) => single(o) && o.attachmentIds !== undefined)
  @IsArray({ message: 'attachmentIds 应为数组' })
  @ArrayMaxSize(50, { message: 'attachmentIds 至多 50 个' })
  @IsUUID('all', { each: true, message: 'attachmentIds 的每一项应为 UUID' })
  attachmentIds?: string[];

  @ApiPropertyOptional({ type: [CreateTaskRequest] })
  @ValidateIf((o: RecordFindingsRequest) => single(o) && o.tasks !== undefined)
  @IsArray({ message: 'tasks 应为数组' })
  @ArrayMaxSize(50, { message: 'tasks 至多 50 项' })
  @ValidateNested({ each: true })
  @Type(() => CreateTaskRequest)
  tasks?: CreateTaskRequest[];

  @ApiPropertyOptional({ type: [FindingRequest], description: 'Many findings at once' })
  @IsOptional()
  @IsArray({ message: 'findings 应为数组' })
  @ArrayMinSize(1, { message: 'findings 至少 1 项' })
  @ArrayMaxSize(100, { message: 'findings 至多 100 项' })
  @ValidateNested({ each: true })
  @Type(() => FindingRequest)
  findings?: FindingRequest[];
}

export class FindingsResponse {
  @ApiProperty({ type: [ProblemDetailResponse], description: 'The problems created, in order' })
  findings!: ProblemDetailResponse[];
}

export class CampaignQuery extends PaginationQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Raised in, or targeting, this subtree' })
  @IsOptional()
  @IsUUID('all', { message: 'orgId 应为 UUID' })
  orgId?: string;

  @ApiPropertyOptional({ enum: CAMPAIGN_STATES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATES, { message: `state 应为 ${CAMPAIGN_STATES.join(', ')} 之一` })
  state?: CampaignState;
}

export class FindingsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'targetOrgId 应为 UUID' })
  targetOrgId?: string;
}

export class ChecklistItemResponse {
  @ApiProperty() code!: string;
  @ApiProperty() title!: string;
  @ApiProperty() category!: string;
}

export class RecordedDrawResponse {
  @ApiProperty({ format: 'uuid' }) withinOrgId!: string;
  @ApiProperty({ enum: ORG_KINDS, nullable: true, type: String }) orgKind!: OrgKind | null;
  @ApiProperty() count!: number;
  @ApiProperty() seed!: string;
  @ApiProperty({ example: 'cyrb128-sfc32-fisher-yates-v1' }) algorithm!: string;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Drawn from, sorted by id' })
  population!: string[];
}

export class CampaignResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CAMPAIGN_KINDS }) kind!: CampaignKind;
  @ApiProperty({ example: '随机抽查' }) kindLabel!: string;
  @ApiProperty({ enum: CAMPAIGN_STATES }) state!: CampaignState;
  @ApiProperty({ format: 'uuid' }) raisedByOrgId!: string;
  @ApiProperty() raisedByOrgName!: string;
  @ApiProperty({ format: 'date' }) startsOn!: string;
  @ApiProperty({ format: 'date' }) endsOn!: string;
  @ApiProperty({ format: 'uuid' }) leaderUserId!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) teamUserIds!: string[];
  @ApiProperty({ type: RecordedDrawResponse, nullable: true })
  targetDraw!: RecordedDrawResponse | null;
  @ApiProperty({ type: [ChecklistItemResponse] }) checklist!: ChecklistItemResponse[];
  @ApiProperty() targetCount!: number;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) closedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
}

export class TargetCountsResponse {
  @ApiProperty({ description: 'Findings recorded' }) findings!: number;
  @ApiProperty({ description: 'Problems they became' }) problems!: number;
  @ApiProperty({ description: 'Measures not closed' }) open!: number;
  @ApiProperty({ description: 'Measures past due, not yet verified' }) overdue!: number;
  @ApiProperty({ description: 'Measures closed (销号)' }) closed!: number;
  @ApiProperty({ description: 'Measures reopened after closure' }) relapsed!: number;
}

export class BoardTargetResponse extends TargetCountsResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
}

export class CampaignDetailResponse extends CampaignResponse {
  @ApiProperty({ type: [BoardTargetResponse], description: 'The board, per visible target' })
  targets!: BoardTargetResponse[];
  @ApiProperty({ type: TargetCountsResponse }) totals!: TargetCountsResponse;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the board was frozen (closure); null while live',
  })
  frozenAt!: string | null;
}

export class CampaignPage {
  @ApiProperty({ type: [CampaignResponse] }) items!: CampaignResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

export class FindingResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ format: 'uuid' }) targetOrgId!: string;
  @ApiProperty() targetOrgName!: string;
  @ApiProperty({ type: String, nullable: true }) checklistCode!: string | null;
  @ApiProperty({ format: 'uuid' }) problemId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() category!: string;
  @ApiProperty({ enum: PROBLEM_SEVERITIES }) severity!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) attachmentIds!: string[];
  @ApiProperty({ format: 'uuid' }) recordedBy!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}
