import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Past this the offset means nothing (and 2^63 would overflow PostgreSQL's bigint). */
export const MAX_PAGE = 1_000_000;

export class PaginationQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number starting at 1' })
  @Min(1, { message: 'page must be at least 1' })
  @Max(MAX_PAGE, { message: `page 不能超过 ${MAX_PAGE}（page must be at most ${MAX_PAGE}）` })
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'pageSize must be a whole number between 1 and 200' })
  @Min(1, { message: 'pageSize must be at least 1' })
  @Max(200, { message: 'pageSize must be at most 200' })
  pageSize: number = 50;
}
