import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { CASE_OUTCOMES, type CaseOutcome } from '#duban/rectification';
import { PaginationQuery } from '../http/pagination.dto';

const OFFSET_SCHEMA = {
  oneOf: [
    { type: 'string', example: 'P7D', description: 'ISO 8601 duration from the due instant' },
    {
      type: 'object',
      properties: { workingDays: { type: 'integer', example: 5 } },
      required: ['workingDays'],
    },
  ],
};

export class EscalationStepDto {
  @ApiProperty({ example: 2, description: '1..n in order; the last opens an accountability case' })
  level!: number;
  @ApiProperty({ example: '督办' }) name!: string;
  @ApiProperty(OFFSET_SCHEMA) after!: string | { workingDays: number };
  @ApiProperty({
    type: [String],
    enum: ['responsible', 'leader', 'secretary', 'superior', 'supervisor', 'discipline'],
  })
  notify!: string[];
}

export class EscalationPolicyDto {
  @ApiProperty({
    type: 'array',
    items: OFFSET_SCHEMA,
    example: [{ workingDays: 7 }, { workingDays: 1 }],
  })
  remindBefore!: (string | { workingDays: number })[];
  @ApiProperty({ type: [EscalationStepDto] }) steps!: EscalationStepDto[];
  @ApiPropertyOptional({
    type: 'object',
    properties: { blueWithinWorkingDays: { type: 'integer', minimum: 0 } },
    example: { blueWithinWorkingDays: 3 },
  })
  lights?: {
    blueWithinWorkingDays?: number;
  };
  @ApiPropertyOptional({
    description: 'Optional stricter ladders per severity: {serious?: policy, critical?: policy}',
    type: 'object',
    additionalProperties: true,
  })
  bySeverity?: Record<string, unknown>;
}

export class EffectivePolicyResponse extends EscalationPolicyDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Whose policy applies (this org or an ancestor); null = the configured default',
  })
  inheritedFromOrgId!: string | null;
}

export class EscalationResponse {
  @ApiProperty() level!: number;
  @ApiProperty({ example: '督办' }) name!: string;
  @ApiProperty({ format: 'date-time', description: 'When the step was applied' }) at!: string;
  @ApiProperty({ format: 'date-time', description: 'When the policy planned it' })
  plannedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'The deadline it counted from' })
  deadline!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) notified!: string[];
  @ApiProperty({
    type: [String],
    description:
      'Audiences of the step that reached nobody (e.g. no discipline inspector anywhere)',
  })
  unreached!: string[];
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'The 通报 step: the 约谈 it made due must be recorded by then',
  })
  talkDueBy?: string;
}

export class CaseQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: ['open', 'decided'] })
  @IsOptional()
  @IsIn(['open', 'decided'], { message: 'state must be one of open, decided' })
  state?: 'open' | 'decided';

  @ApiPropertyOptional({ format: 'uuid', description: 'Subject org and everything below it' })
  @IsOptional()
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId?: string;
}

export class CaseDecisionRequest {
  @ApiProperty({
    enum: CASE_OUTCOMES,
    description:
      'inspection 检查 | circulated_notice 通报 | reorganisation 改组 (organisations); admonishment 诫勉 | organisational_adjustment 组织调整或者组织处理 | disciplinary 纪律处分 (people); exempted 容错免责',
  })
  @IsIn(CASE_OUTCOMES, { message: `outcome must be one of ${CASE_OUTCOMES.join(', ')}` })
  outcome!: CaseOutcome;

  @ApiProperty({ example: '经调查，该支部因客观原因未能按期完成，依据“三个区分开来”予以容错免责' })
  @IsString({ message: 'reason must be a string' })
  @Length(1, 10000, { message: 'reason must be 1-10000 characters' })
  reason!: string;
}

export class CaseEscalation {
  @ApiProperty() key!: string;
  @ApiProperty({ enum: ['reminder', 'step'] }) kind!: string;
  @ApiProperty({ type: Number, nullable: true }) level!: number | null;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) notified!: string[];
}

export class CaseResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'null for a case opened by the five-in-one loop (考核/述职评议/承诺)',
  })
  taskId!: string | null;
  @ApiProperty() measure!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) problemId!: string | null;
  @ApiProperty() problemTitle!: string;
  @ApiProperty({ format: 'uuid' }) raisingOrgId!: string;
  @ApiProperty({ format: 'uuid' }) subjectOrgId!: string;
  @ApiProperty() subjectOrgName!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) subjectUserIds!: string[];
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({ enum: ['open', 'decided'] }) state!: string;
  @ApiProperty({ enum: CASE_OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ type: String, nullable: true }) outcomeLabel!: string | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: string | null;
}

export class CaseDecideRefusal {
  @ApiProperty({ example: 'conflict_of_interest' }) code!: string;
  @ApiProperty() message!: string;
}

export class CaseDetailResponse extends CaseResponse {
  @ApiProperty({ type: [CaseEscalation] }) escalations!: CaseEscalation[];
  @ApiProperty({
    enum: ['decide'],
    isArray: true,
    description: 'What the caller may do with the case now (the UI offers only these)',
  })
  actions!: 'decide'[];
  @ApiProperty({
    type: CaseDecideRefusal,
    nullable: true,
    description:
      'Why the caller may not decide this open case: `forbidden`, or `conflict_of_interest` for a subject or someone of the subject org',
  })
  decideRefusal!: CaseDecideRefusal | null;
}

export class CasePage {
  @ApiProperty({ type: [CaseResponse] }) items!: CaseResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}
