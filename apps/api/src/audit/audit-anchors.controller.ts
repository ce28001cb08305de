import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditAnchorService } from '#duban/audit';
import type { Actor } from '#duban/domain';
import { CurrentActor } from '../auth/decorators';
import { PaginationQuery } from '../http/pagination.dto';

export class AuditAnchorResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'When the heads were read' }) at!: string;
  @ApiProperty({ description: 'Streams (task, problem, case records) anchored' }) streams!: number;
  @ApiProperty({ description: 'Events up to the anchored heads' }) events!: number;
  @ApiProperty({ description: 'SHA-256 over the sorted list of [streamId, seq, hash]' })
  root!: string;
  @ApiProperty({ description: 'First 16 hex digits of SHA-256 over the Ed25519 public key' })
  keyId!: string;
  @ApiProperty({ description: 'Ed25519 signature (base64) over the anchor' }) signature!: string;
}

export class AuditAnchorPage {
  @ApiProperty({ type: [AuditAnchorResponse] }) items!: AuditAnchorResponse[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}

@ApiTags('audit (审计)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/audit')
export class AuditAnchorsController {
  constructor(private readonly anchors: AuditAnchorService) {}

  @Get('anchors')
  @ApiOperation({
    summary:
      'Signed checkpoints of every audit stream head, newest first (the full heads are in the anchor file)',
  })
  @ApiResponse({ status: 200, type: AuditAnchorPage })
  @ApiResponse({ status: 400, description: 'A query parameter is invalid; the message names it' })
  @ApiResponse({ status: 403, description: 'Needs a system administrator' })
  list(@CurrentActor() actor: Actor, @Query() q: PaginationQuery): Promise<AuditAnchorPage> {
    return this.anchors.list(actor, q);
  }
}
