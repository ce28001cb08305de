import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { PaginationQuery } from '../http/pagination.dto';

const QUARTER = /^\d{4}Q[1-4]$/;

export class IssueCircularRequest {
  @ApiProperty({
    format: 'uuid',
    description: 'The issuing org (落款); its child orgs are named (主送)',
  })
  @IsUUID('all', { message: 'orgId 应为 UUID' })
  orgId!: string;

  @ApiProperty({ example: '2026Q4', description: 'The quarter in the org’s time zone' })
  @Matches(QUARTER, { message: 'quarter 应为季度，格式 YYYYQn，例如 2026Q4' })
  quarter!: string;
}

export class CircularQuery extends PaginationQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Issued by this org, or naming it (主送)' })
  @IsOptional()
  @IsUUID('all', { message: 'orgId 应为 UUID' })
  orgId?: string;
}

export class IssuedCircularResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026Q4' }) quarter!: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the archived .docx, also in the audit record' })
  sha256!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
}

export class CircularResponse extends IssuedCircularResponse {
  @ApiProperty({ format: 'uuid', description: 'The issuing org' }) orgId!: string;
  @ApiProperty() orgName!: string;
  @ApiProperty({ example: '关于2026年第四季度整改督办情况的通报' }) title!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty({ description: 'Size of the archived .docx in bytes' }) byteSize!: number;
  @ApiProperty({ type: [String], format: 'uuid', description: '主送: the orgs it names' })
  addresseeOrgIds!: string[];
  @ApiProperty({ format: 'uuid' }) issuedBy!: string;
}

export class CircularPage {
  @ApiProperty({ type: [CircularResponse] }) items!: CircularResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}
