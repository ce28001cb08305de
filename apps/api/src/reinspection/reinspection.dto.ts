import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import {
  PROBLEM_SEVERITIES,
  REINSPECTION_OUTCOMES,
  REINSPECTION_STATES,
  REINSPECTOR_ROLES,
} from '#duban/domain';

export class ReinspectionPolicyDto {
  @ApiProperty({ example: 0.1, description: '0..1 of the measures closed in a quarter' })
  @IsNumber({}, { message: 'rate：须为 0 至 1 之间的比例' })
  rate!: number;
  @ApiPropertyOptional({ enum: PROBLEM_SEVERITIES, isArray: true, example: ['critical'] })
  @IsOptional()
  @IsArray({ message: 'alwaysSeverities：须为问题等级的数组' })
  alwaysSeverities?: readonly string[];
  @ApiPropertyOptional({ enum: REINSPECTOR_ROLES, example: 'supervisor' })
  @IsOptional()
  @IsString({ message: 'inspectorRole：须为角色名' })
  inspectorRole?: string;
}

export class ReinspectionPolicyResponse {
  @ApiProperty() rate!: number;
  @ApiProperty({ enum: PROBLEM_SEVERITIES, isArray: true }) alwaysSeverities!: readonly string[];
  @ApiProperty({ enum: REINSPECTOR_ROLES }) inspectorRole!: string;
  @ApiProperty({ format: 'uuid', description: 'The org whose policy this is (own or inherited)' })
  inheritedFromOrgId!: string;
}

export class DrawRequest {
  @ApiProperty({ example: '2026Q3' })
  @IsString({ message: 'quarter：须为季度，如 2026Q4' })
  @Matches(/^\d{4}Q[1-4]$/, { message: 'quarter：须为季度，如 2026Q4' })
  quarter!: string;
}

export class DrawResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orgId!: string;
  @ApiProperty({ example: '2026Q3' }) quarter!: string;
  @ApiProperty({ description: 'Redraw with drawSample(seed, population, policy) to check' })
  seed!: string;
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'The measures closed in the quarter',
  })
  population!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Each population member’s severity (alwaysSeverities draws them all)',
  })
  populationSeverities!: Record<string, string>;
  @ApiProperty({ type: [String], format: 'uuid' }) sampleTaskIds!: string[];
  @ApiProperty({ type: ReinspectionPolicyDto }) policy!: ReinspectionPolicyDto;
  @ApiProperty({ format: 'date-time' }) drawnAt!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'null: the worker at quarter end',
  })
  drawnBy!: string | null;
}

export class ReinspectionQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'orgId：须为组织 id' })
  orgId?: string;
  @ApiPropertyOptional({ enum: REINSPECTION_STATES })
  @IsOptional()
  @IsIn(REINSPECTION_STATES, { message: `state：须为 ${REINSPECTION_STATES.join('、')} 之一` })
  state?: string;
}

export class ReinspectionResultRequest {
  @ApiProperty({ enum: REINSPECTION_OUTCOMES })
  @IsIn(REINSPECTION_OUTCOMES, { message: 'outcome：须为 held（巩固）或 relapsed（反弹）' })
  outcome!: string;
  @ApiProperty({ example: '实地查看，问题未反弹' })
  @IsString({ message: 'note：须写明复查情况' })
  @Length(1, 4000, { message: 'note：须写明复查情况（1 至 4000 字）' })
  note!: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray({ message: 'attachmentIds：须为附件 id 的数组' })
  @ArrayMaxSize(50, { message: 'attachmentIds：至多 50 个' })
  @IsUUID('all', { each: true, message: 'attachmentIds：每一项须为附件 id' })
  attachmentIds?: string[];
}

export class ReinspectionResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) drawId!: string;
  @ApiProperty({ example: '2026Q3' }) quarter!: string;
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty() taskMeasure!: string;
  @ApiProperty({ format: 'uuid' }) responsibleOrgId!: string;
  @ApiProperty() responsibleOrgName!: string;
  @ApiProperty({ format: 'uuid' }) raisingOrgId!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Neither verified nor closed the measure; null when nobody free was found',
  })
  inspectorUserId!: string | null;
  @ApiProperty({ format: 'date-time', description: '20 working days after the draw' })
  dueAt!: string;
  @ApiProperty({ description: 'Pending past its deadline' }) overdue!: boolean;
  @ApiProperty({ enum: REINSPECTION_STATES }) state!: string;
  @ApiProperty({ type: String, nullable: true }) note!: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) attachmentIds!: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) resultBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resultAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
