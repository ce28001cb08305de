import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  CHECK_RESULTS,
  LIGHTS,
  TASK_ACTIONS,
  TASK_MODES,
  TASK_STATES,
  type CheckResult,
  type Light,
  type TaskMode,
  type TaskState,
} from '#duban/domain';
import { Type } from 'class-transformer';
import { PaginationQuery } from '../http/pagination.dto';
import { TalkStatusResponse } from '../talks/talks.dto';
import { QueryBoolean } from '../http/query-transforms';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function applyAll(decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

/** An optional free-text field of at most `max` characters, with messages naming it. */
function OptionalText(field: string, max: number, example?: string): PropertyDecorator {
  return applyAll([
    ApiPropertyOptional(example ? { example } : {}),
    IsOptional(),
    IsString({ message: `${field} must be a string` }),
    Length(0, max, { message: `${field} must be at most ${max} characters` }),
  ]);
}

/** A required free-text field of 1..`max` characters. */
function RequiredText(field: string, max: number, example?: string): PropertyDecorator {
  return applyAll([
    ApiProperty(example ? { example } : {}),
    IsString({ message: `${field} must be a string` }),
    Length(1, max, { message: `${field} must be 1-${max} characters` }),
  ]);
}

/** A deadline as a local date: the end of that day in the responsible org's time zone. */
function LocalDateField(field: string, example: string): PropertyDecorator {
  return applyAll([
    ApiPropertyOptional({
      format: 'date',
      example,
      description: 'End of that day in the responsible org’s time zone',
    }),
    IsOptional(),
    Matches(DATE, { message: `${field} must be a date as YYYY-MM-DD` }),
  ]);
}

/** A deadline as an exact instant. */
function InstantField(field: string): PropertyDecorator {
  return applyAll([
    ApiPropertyOptional({ format: 'date-time', description: 'An exact instant with offset' }),
    IsOptional(),
    IsISO8601({ strict: true }, { message: `${field} must be an ISO 8601 instant with offset` }),
  ]);
}

export class CreateTaskRequest {
  @ApiProperty({ example: '制定“三会一课”年度计划并逐月落实，建立会议记录台账' })
  @IsString({ message: 'measure must be a string' })
  @Length(1, 2000, { message: 'measure must be 1-2000 characters' })
  measure!: string;

  @ApiProperty({ format: 'uuid', description: '责任单位: in the raising org’s subtree' })
  @IsUUID('all', { message: 'responsibleOrgId must be a UUID' })
  responsibleOrgId!: string;

  @ApiProperty({ format: 'uuid', description: '责任人: holds a role in the responsible org' })
  @IsUUID('all', { message: 'responsibleUserId must be a UUID' })
  responsibleUserId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: '分管领导' })
  @IsOptional()
  @IsUUID('all', { message: 'leaderUserId must be a UUID' })
  leaderUserId?: string;

  @ApiProperty({
    enum: TASK_MODES,
    description: 'immediate 立行立改 | deadline 限期整改 | standing 长期坚持',
  })
  @IsIn(TASK_MODES, { message: `mode must be one of ${TASK_MODES.join(', ')}` })
  mode!: TaskMode;

  @LocalDateField('dueDate', '2026-12-31')
  dueDate?: string;

  @InstantField('dueAt')
  dueAt?: string;
}

export class TaskQuery extends PaginationQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Responsible org and everything below it' })
  @IsOptional()
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId?: string;

  @ApiPropertyOptional({ enum: TASK_STATES })
  @IsOptional()
  @IsIn(TASK_STATES, { message: `state must be one of ${TASK_STATES.join(', ')}` })
  state?: TaskState;

  @ApiPropertyOptional({ enum: LIGHTS })
  @IsOptional()
  @IsIn(LIGHTS, { message: `light must be one of ${LIGHTS.join(', ')}` })
  light?: Light;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'responsibleUserId must be a UUID' })
  responsibleUserId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'problemId must be a UUID' })
  problemId?: string;

  @ApiPropertyOptional({ description: '批次' })
  @IsOptional()
  @IsString({ message: 'campaign must be a string' })
  @Length(1, 200, { message: 'campaign must be 1-200 characters' })
  campaign?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'category must be a string' })
  category?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 20,
    description: 'The escalation step reached (0 = none), as the dashboard counts them',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'escalationLevel must be a whole number from 0 to 20' })
  @Min(0, { message: 'escalationLevel must be at least 0' })
  @Max(20, { message: 'escalationLevel must be at most 20' })
  escalationLevel?: number;

  @ApiPropertyOptional({ description: 'Text in the measure or the problem title' })
  @IsOptional()
  @IsString({ message: 'q must be a string' })
  @Length(1, 100, { message: 'q must be 1-100 characters' })
  q?: string;
}

export class PendingExtensionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) requestedBy!: string;
  @ApiProperty({ format: 'date-time' }) newDueAt!: string;
  @ApiProperty() reason!: string;
}

export class TaskResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) problemId!: string;
  @ApiProperty() problemTitle!: string;
  @ApiProperty() category!: string;
  @ApiProperty() severity!: string;
  @ApiProperty() measure!: string;
  @ApiProperty({ format: 'uuid' }) raisingOrgId!: string;
  @ApiProperty({ format: 'uuid' }) responsibleOrgId!: string;
  @ApiProperty() responsibleOrgName!: string;
  @ApiProperty({ format: 'uuid' }) responsibleUserId!: string;
  @ApiProperty({ type: String, nullable: true, description: '责任人 display name' })
  responsibleUserName!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) leaderUserId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '分管领导 display name' })
  leaderUserName!: string | null;
  @ApiProperty({ enum: TASK_MODES }) mode!: TaskMode;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt!: string | null;
  @ApiProperty({ enum: TASK_STATES }) state!: TaskState;
  @ApiProperty({ enum: LIGHTS, description: '三色预警 (plus green)' }) light!: Light;
  @ApiProperty({ description: 'Highest escalation step reached (0 = none)' })
  escalationLevel!: number;
  @ApiProperty({ description: 'Send as If-Match to transitions' }) version!: number;
  @ApiProperty({ enum: CHECK_RESULTS, nullable: true }) lastCheckResult!: CheckResult | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastCheckAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastProgressAt!:
    string | null;
  @ApiProperty({ type: PendingExtensionResponse, nullable: true })
  pendingExtension!: PendingExtensionResponse | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ enum: TASK_ACTIONS, isArray: true, description: 'What the caller may do now' })
  actions!: string[];
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Why the caller, who could otherwise verify, close or check this task, stays out of it (回避: they acted on it or hold a role in its responsible org)',
  })
  conflictOfInterest!: string | null;
  @ApiProperty({ description: 'Its problem was withdrawn (撤回): shown as 已撤回, no actions' })
  withdrawn!: boolean;
  @ApiPropertyOptional({
    type: TalkStatusResponse,
    description: 'GET /tasks/{id} only: the 约谈 the 通报 step made due (none, due, overdue, held)',
  })
  talk?: TalkStatusResponse;
  @ApiProperty({ description: '回头看 found the problem back after closure and reopened it' })
  relapse!: boolean;
}

/** GET /tasks/{id}: the task, and which escalation policy governs it (the raising org's, inherited). */
export class TaskDetailResponse extends TaskResponse {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'The org whose escalation policy governs this task: the raising org’s own, else the nearest org above it with one; null when the installation default applies',
  })
  policyOrgId!: string | null;
  @ApiProperty({
    description:
      'true unless the raising org set the policy itself (inherited from an org above, or the default)',
  })
  policyInherited!: boolean;
}

export class TaskWithWarningsResponse {
  @ApiProperty({ type: TaskResponse }) task!: TaskResponse;
  @ApiProperty({ type: [String] }) warnings!: string[];
}

export class TaskPage {
  @ApiProperty({ type: [TaskResponse] }) items!: TaskResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

const ATTACHMENTS = () => [
  IsOptional(),
  IsArray({ message: 'attachmentIds must be an array of attachment ids' }),
  ArrayMaxSize(20, { message: 'attachmentIds may list at most 20 files' }),
  IsUUID('all', { each: true, message: 'attachmentIds must contain only UUIDs' }),
];

export class AcceptRequest {
  @OptionalText('comment', 2000, '已签收，立即部署整改')
  comment?: string;
}

export class ProgressRequest {
  @ApiProperty({ example: '已召开支委会研究整改方案，完成10月份主题党日' })
  @IsString({ message: 'content must be a string' })
  @Length(1, 10000, { message: 'content must be 1-10000 characters' })
  content!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt({ message: 'percent must be a whole number from 0 to 100' })
  @Min(0, { message: 'percent must be at least 0' })
  @Max(100, { message: 'percent must be at most 100' })
  percent?: number;

  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @applyAll(ATTACHMENTS())
  attachmentIds?: string[];
}

export class SubmitRequest {
  @ApiProperty({ example: '整改措施全部落实，附会议记录和台账' })
  @IsString({ message: 'summary must be a string' })
  @Length(1, 10000, { message: 'summary must be 1-10000 characters' })
  summary!: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: '佐证材料 (required where the committee says so)',
  })
  @applyAll(ATTACHMENTS())
  attachmentIds?: string[];
}

export class VerifyRequest {
  @ApiProperty({ description: 'true: 验收通过; false: 退回重改' })
  @IsBoolean({ message: 'passed must be true or false' })
  passed!: boolean;

  /** Required when passed is false: what must be redone. */
  @OptionalText('comment', 2000, '会议记录不全，退回重改')
  comment?: string;
}

export class CloseRequest {
  @OptionalText('comment', 2000, '同意销号')
  comment?: string;
}

export class ReopenRequest {
  @RequiredText('reason', 2000, '回头看发现问题反弹')
  reason!: string;

  @LocalDateField('newDueDate', '2027-03-31')
  newDueDate?: string;

  @InstantField('newDueAt')
  newDueAt?: string;
}

export class ExtensionRequest {
  @LocalDateField('newDueDate', '2027-01-31')
  newDueDate?: string;

  @InstantField('newDueAt')
  newDueAt?: string;

  @RequiredText('reason', 2000, '阵地改造需等待财政资金拨付')
  reason!: string;

  @ApiPropertyOptional({ description: 'Progress so far; defaults to the latest progress report' })
  @IsOptional()
  @IsString({ message: 'progress must be a string' })
  @Length(1, 10000, { message: 'progress must be 1-10000 characters' })
  progress?: string;
}

export class DecisionRequest {
  @OptionalText('comment', 2000, '同意延期')
  comment?: string;
}

export class CheckRequest {
  @ApiProperty({ enum: CHECK_RESULTS, description: 'on_track | lagging | superficial 表面整改' })
  @IsIn(CHECK_RESULTS, { message: `result must be one of ${CHECK_RESULTS.join(', ')}` })
  result!: CheckResult;

  @ApiPropertyOptional({ description: 'Required for lagging and superficial' })
  @IsOptional()
  @IsString({ message: 'note must be a string' })
  @Length(0, 10000, { message: 'note must be at most 10000 characters' })
  note?: string;
}

export class BulkCloseRequest {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: 200 })
  @IsArray({ message: 'taskIds must be an array of task ids' })
  @ArrayMaxSize(200, { message: 'taskIds may list at most 200 tasks' })
  @IsUUID('all', { each: true, message: 'taskIds must contain only UUIDs' })
  taskIds!: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'comment must be a string' })
  @Length(0, 2000, { message: 'comment must be at most 2000 characters' })
  comment?: string;
}

export class BulkCloseResult {
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: '200 when closed, else the status the single call would answer' })
  status!: number;
  @ApiPropertyOptional({
    description: 'The error code the single call would answer, e.g. `conflict_of_interest`',
  })
  code?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional({ type: TaskResponse }) task?: TaskResponse;
}

export class TimelineEventResponse {
  @ApiProperty() seq!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Display name of the actor' })
  actorName!: string | null;
  @ApiProperty({ example: 'submitted' }) type!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) from!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) to!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the event carries, by type (e.g. content, percent, attachmentIds, result)',
  })
  data!: unknown;
  @ApiProperty({ description: 'SHA-256 chaining this event to the one before' }) hash!: string;
}

export class ExtensionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] }) state!: string;
  @ApiProperty({ format: 'uuid' }) requestedBy!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time' }) currentDueAt!: string;
  @ApiProperty({ format: 'date-time' }) newDueAt!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() progress!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
}

export class ReassignRequest {
  @ApiPropertyOptional({ format: 'uuid', description: 'The new responsible org (责任单位)' })
  @IsOptional()
  @IsUUID('all', { message: 'responsibleOrgId must be a UUID' })
  responsibleOrgId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The new responsible person (责任人)' })
  @IsOptional()
  @IsUUID('all', { message: 'responsibleUserId must be a UUID' })
  responsibleUserId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The new leader in charge (分管领导)' })
  @IsOptional()
  @IsUUID('all', { message: 'leaderUserId must be a UUID' })
  leaderUserId?: string;

  @ApiProperty({ example: '原责任人调离', description: 'Why (kept in the record and sent)' })
  @IsString({ message: 'reason must be a string' })
  @Length(1, 500, { message: 'reason must be 1-500 characters' })
  reason!: string;
}
