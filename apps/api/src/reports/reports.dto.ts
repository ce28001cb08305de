import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { TASK_STATES, type TaskState } from '#duban/domain';
import { LEDGER_FORMATS, type LedgerFormat } from '#duban/rectification';
import { QueryBoolean } from '../http/query-transforms';
import { TaskQuery } from '../tasks/tasks.dto';

const QUARTER = /^\d{4}Q[1-4]$/;

/** The task list's filters (same names, same validation) plus the file format. */
export class LedgerQueryDto extends PickType(TaskQuery, [
  'orgId',
  'state',
  'light',
  'category',
  'campaign',
  'overdue',
] as const) {
  @ApiPropertyOptional({ enum: LEDGER_FORMATS, default: 'xlsx' })
  @IsOptional()
  @IsIn(LEDGER_FORMATS, { message: `format must be one of ${LEDGER_FORMATS.join(', ')}` })
  format?: LedgerFormat;
}

export class QuarterQueryDto {
  @ApiProperty({ format: 'uuid', description: 'The org whose subtree is reported' })
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId!: string;

  @ApiPropertyOptional({
    example: '2026Q4',
    description: 'The quarter in the org’s time zone; the current one when absent',
  })
  @IsOptional()
  @Matches(QUARTER, { message: 'quarter must name a quarter as YYYYQn, e.g. 2026Q4' })
  quarter?: string;
}

export const CIRCULAR_FORMATS = ['json', 'docx'] as const;
export type CircularFormat = (typeof CIRCULAR_FORMATS)[number];

export class CircularQueryDto extends QuarterQueryDto {
  @ApiPropertyOptional({
    enum: CIRCULAR_FORMATS,
    default: 'json',
    description:
      'json: the measures named; docx: the 通报 as a Word document, as it would be issued now',
  })
  @IsOptional()
  @IsIn(CIRCULAR_FORMATS, { message: `format must be one of ${CIRCULAR_FORMATS.join(', ')}` })
  format?: CircularFormat;
}

export class StateCountsResponse {
  @ApiProperty({ description: '已交办' }) assigned!: number;
  @ApiProperty({ description: '整改中' }) in_progress!: number;
  @ApiProperty({ description: '待验收' }) submitted!: number;
  @ApiProperty({ description: '待销号' }) verified!: number;
  @ApiProperty({ description: '已销号' }) closed!: number;
}

export class LightCountsResponse {
  @ApiProperty() red!: number;
  @ApiProperty() yellow!: number;
  @ApiProperty() blue!: number;
  @ApiProperty() green!: number;
}

export class EscalationCountResponse {
  @ApiProperty({ description: 'Ladder level (1 催办, 2 督办, 3 通报, 4 问责 by default)' })
  level!: number;
  @ApiProperty({ description: 'Measures whose highest step reached in the quarter is this one' })
  tasks!: number;
}

export class OrgTallyResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({
    description:
      'Measures open at some time in the quarter (created by its end, not closed before it)',
  })
  total!: number;
  @ApiProperty({ type: StateCountsResponse, description: 'Their states now' })
  byState!: StateCountsResponse;
  @ApiProperty({ type: LightCountsResponse, description: 'Their lights now (三色预警)' })
  byLight!: LightCountsResponse;
  @ApiProperty({
    description: 'Measures due in the quarter whose deadline has come (or that are closed already)',
  })
  dueInQuarter!: number;
  @ApiProperty({ description: 'Of those, closed (销号) on or before the deadline' })
  closedOnTime!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'closedOnTime / dueInQuarter (0..1); null when nothing was due',
  })
  onTimeRate!: number | null;
  @ApiProperty({ description: 'Open measures past their deadline now (red)' })
  overdue!: number;
  @ApiProperty({ type: [EscalationCountResponse] })
  escalations!: EscalationCountResponse[];
  @ApiProperty({ description: 'Problems raised in the quarter that came back (屡改屡犯)' })
  recurringProblems!: number;
}

export class QuarterSummaryResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({ example: '2026Q4' }) quarter!: string;
  @ApiProperty({ format: 'date-time', description: 'First instant of the quarter (org’s zone)' })
  from!: string;
  @ApiProperty({ format: 'date-time', description: 'Last instant of the quarter (org’s zone)' })
  to!: string;
  @ApiProperty({ format: 'date-time', description: 'When the figures were taken' })
  asOf!: string;
  @ApiProperty({ type: OrgTallyResponse, description: 'The whole subtree' })
  totals!: OrgTallyResponse;
  @ApiProperty({ type: OrgTallyResponse, description: 'Measures of the org itself' })
  own!: OrgTallyResponse;
  @ApiProperty({ type: [OrgTallyResponse], description: 'Each child org with its subtree' })
  children!: OrgTallyResponse[];
  @ApiProperty({
    description:
      'Escalation steps fired in the quarter that reached nobody for at least one audience (unreached)',
  })
  unreachedSteps!: number;
  @ApiProperty({
    description: 'Measures whose 约谈 (due 10 working days after the 通报 step) is overdue now',
  })
  overdueTalks!: number;
}

export class CircularEntryResponse {
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty({ format: 'uuid' }) problemId!: string;
  @ApiProperty() problemTitle!: string;
  @ApiProperty({ description: '整改措施' }) measure!: string;
  @ApiProperty({ format: 'uuid', description: '责任单位' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dueAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-30' }) dueDate!: string | null;
  @ApiProperty({ description: 'Highest ladder level reached in the quarter' }) level!: number;
  @ApiProperty({ type: String, nullable: true, example: '通报' }) levelName!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the 通报 step fired; null when flagged without the ladder’s record',
  })
  reachedAt!: string | null;
  @ApiProperty({ enum: TASK_STATES }) state!: TaskState;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ format: 'uuid' }) responsibleUserId!: string;
  @ApiProperty({ description: '责任人' }) responsibleName!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) leaderUserId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '分管领导' })
  leaderName!: string | null;
}

export class OnTimeRankingResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty() dueInQuarter!: number;
  @ApiProperty() closedOnTime!: number;
  @ApiProperty() missed!: number;
  @ApiProperty({ description: '0..1' }) onTimeRate!: number;
}

export class QuarterCircularResponse {
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({ example: '2026Q4' }) quarter!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ format: 'date-time' }) asOf!: string;
  @ApiProperty({ description: 'Measures from this ladder level on are named (通报)' })
  fromLevel!: number;
  @ApiProperty({
    type: [CircularEntryResponse],
    description: 'Measures that reached the 通报 level in the quarter, highest level first',
  })
  entries!: CircularEntryResponse[];
  @ApiProperty({
    type: [OnTimeRankingResponse],
    description: 'Responsible units with the lowest on-time rate (at least one deadline missed)',
  })
  worstOnTime!: OnTimeRankingResponse[];
}

// --- import ----------------------------------------------------------------------------------

export class ImportOptionsDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The committee raising every problem of the file (立项单位); required',
  })
  @IsOptional()
  @IsUUID('all', { message: 'raisedByOrgId must be a UUID' })
  raisedByOrgId?: string;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Check every row and report, import nothing',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description:
      'Import even a file imported before for the same raising org (the same bytes, or the ' +
      'same problems); without it such a file is refused with 409 `duplicate_import`',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}

export class ImportUploadRequest {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'The ledger as .xlsx or .csv (UTF-8, or GBK as Excel saves it), ledger columns',
  })
  file!: unknown;

  @ApiPropertyOptional({ format: 'uuid', description: 'May be given here instead of the query' })
  raisedByOrgId?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'May be given here instead of the query' })
  dryRun?: boolean;
}

export class ImportResultResponse {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ description: 'Problems created (or that would be, on a dry run)' })
  problems!: number;
  @ApiProperty({ description: 'Measures created (or that would be)' }) tasks!: number;
  @ApiProperty({ type: [String], format: 'uuid', description: 'Empty on a dry run' })
  problemIds!: string[];
  @ApiProperty({ type: [String] }) warnings!: string[];
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The recorded import; null on a dry run',
  })
  importId!: string | null;
}

export class EarlierImportUserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}

export class EarlierImportResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) importedAt!: string;
  @ApiProperty({ type: EarlierImportUserResponse }) importedBy!: EarlierImportUserResponse;
  @ApiProperty() problems!: number;
  @ApiProperty() tasks!: number;
  @ApiProperty({
    enum: ['file', 'problems'],
    description: '`file`: the same bytes; `problems`: the same problems from another file',
  })
  match!: 'file' | 'problems';
}

export class DuplicateImportResponse {
  @ApiProperty({ example: 409 }) statusCode!: number;
  @ApiProperty({ example: 'Conflict' }) error!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ example: 'duplicate_import' }) code!: string;
  @ApiProperty({ type: EarlierImportResponse }) earlierImport!: EarlierImportResponse;
}

export class ImportRowErrorResponse {
  @ApiProperty({ description: '1-based row number as the spreadsheet shows it' }) row!: number;
  @ApiProperty({ example: '责任人', description: 'The header of the column to fix' })
  field!: string;
  @ApiProperty() message!: string;
}

export class ImportRejectedResponse {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: [ImportRowErrorResponse], description: 'Every problem found' })
  rows!: ImportRowErrorResponse[];
}
