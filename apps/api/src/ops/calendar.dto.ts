import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CalendarOverridesQuery {
  @ApiPropertyOptional({ example: 2027, description: 'Only the overrides of this year' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be a year, e.g. 2027' })
  @Min(1900, { message: 'year must be between 1900 and 9999' })
  @Max(9999, { message: 'year must be between 1900 and 9999' })
  year?: number;
}

export class CalendarInfoQuery {
  @ApiProperty({ example: '2027-01-01', description: 'First day (YYYY-MM-DD)' })
  @Matches(DATE, { message: 'from must be a date as YYYY-MM-DD' })
  from!: string;

  @ApiProperty({
    example: '2027-01-31',
    description: 'Last day (YYYY-MM-DD), at most 367 days after from',
  })
  @Matches(DATE, { message: 'to must be a date as YYYY-MM-DD' })
  to!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "The calendar an organisation's work is counted on: national plus the overrides of it and every org above it",
  })
  @IsOptional()
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId?: string;
}

export class CalendarOverrideEntry {
  @ApiProperty({ example: '2027-02-08', format: 'date' }) date!: string;
  @ApiProperty({
    enum: ['workday', 'holiday'],
    description: 'holiday: a day off (法定节假日); workday: a weekend day worked (调休上班)',
  })
  kind!: 'workday' | 'holiday';
  @ApiPropertyOptional({ example: '春节', maxLength: 100, nullable: true, type: String })
  note?: string | null;
}

export class CalendarOverridesRequest {
  @ApiProperty({
    type: [CalendarOverrideEntry],
    minItems: 1,
    maxItems: 400,
    description:
      'Dates to add or replace; dates not listed stay as they are. A year the holiday package ' +
      'does not know counts as known once it has an override: list all of its holidays and ' +
      'adjusted working days.',
  })
  entries!: CalendarOverrideEntry[];
}

export class CalendarOverrideResponse {
  @ApiProperty({ example: '2027-02-08', format: 'date' }) date!: string;
  @ApiProperty({ enum: ['workday', 'holiday'] }) kind!: 'workday' | 'holiday';
  @ApiProperty({ type: String, nullable: true, example: '春节' }) note!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) updatedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CalendarOverrideList {
  @ApiProperty({ type: [CalendarOverrideResponse] }) items!: CalendarOverrideResponse[];
  @ApiProperty() total!: number;
}

export class CalendarOverridesWritten {
  @ApiProperty({ type: [CalendarOverrideResponse], description: 'The rows written' })
  items!: CalendarOverrideResponse[];
  @ApiProperty({
    type: [String],
    description: 'E.g. a year beyond the package data that now counts as known',
  })
  warnings!: string[];
}

export class KnownRangeResponse {
  @ApiProperty({ example: '2004-01-01', format: 'date' }) from!: string;
  @ApiProperty({ example: '2027-12-31', format: 'date' }) to!: string;
}

export class CalendarDayResponse {
  @ApiProperty({ example: '2027-01-04', format: 'date' }) date!: string;
  @ApiProperty({ description: 'A working day (deadlines in working days count it)' })
  working!: boolean;
  @ApiProperty({
    description:
      'False when neither the holiday data nor the overrides cover the year (Monday to Friday is assumed)',
  })
  known!: boolean;
  @ApiProperty({ enum: ['override', 'holiday_data', 'weekday_rule'] })
  source!: 'override' | 'holiday_data' | 'weekday_rule';
  @ApiProperty({ type: String, nullable: true, example: '元旦' }) name!: string | null;
}

export class CalendarInfoResponse {
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({
    type: KnownRangeResponse,
    nullable: true,
    description: 'The consecutive known years ending with the latest',
  })
  knownRange!: KnownRangeResponse | null;
  @ApiProperty({ type: [CalendarDayResponse] }) days!: CalendarDayResponse[];
}
