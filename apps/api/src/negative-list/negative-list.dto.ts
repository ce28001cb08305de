import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { NEGATIVE_LIST_SUBJECTS, NEGATIVE_REASON_KINDS } from '#duban/domain';
import { QueryBoolean } from '../http/query-transforms';

export class NegativeListQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Entries of this org’s subtree' })
  @IsOptional()
  @IsUUID('all', { message: 'orgId：须为组织 id' })
  orgId?: string;
  @ApiPropertyOptional({ description: 'true: only entries listed now' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'listed：须为 true 或 false' })
  listed?: boolean;
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: a download (UTF-8 with BOM)' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format：须为 json 或 csv' })
  format?: 'json' | 'csv';
}

export class LiftRequest {
  @ApiProperty({ example: '整改成效经复查巩固，经党委会研究提前移出' })
  @IsString({ message: 'reason：须写明提前移出的理由' })
  @Length(1, 2000, { message: 'reason：须写明提前移出的理由（1 至 2000 字）' })
  reason!: string;
}

export class NegativeReasonResponse {
  @ApiProperty({ enum: NEGATIVE_REASON_KINDS }) kind!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({
    format: 'uuid',
    description: 'The problem, reinspection, accountability case or task it refers to',
  })
  ref!: string;
}

export class NegativeListEntryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: NEGATIVE_LIST_SUBJECTS }) subjectType!: string;
  @ApiProperty({ format: 'uuid' }) subjectId!: string;
  @ApiProperty() subjectName!: string;
  @ApiProperty({ format: 'uuid', description: 'The unit (the person’s unit for a person)' })
  orgId!: string;
  @ApiProperty({ format: 'uuid' }) raisingOrgId!: string;
  @ApiProperty({ type: [NegativeReasonResponse] }) reasons!: NegativeReasonResponse[];
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty({ format: 'date-time' }) lastReasonAt!: string;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Left the list: lifted, or 12 clean months after the last reason',
  })
  liftedAt?: string;
  @ApiPropertyOptional({ enum: ['lifted', 'expired'] }) liftKind?: string;
  @ApiPropertyOptional() liftReason?: string;
  @ApiProperty({ description: 'Listed now' }) listed!: boolean;
}
