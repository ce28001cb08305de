import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { TalksService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { TalkRequest, TalkResponse, TalkStatusResponse } from './talks.dto';

@ApiTags('talks (约谈)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1')
export class TalksController {
  constructor(private readonly talks: TalksService) {}

  @Post('tasks/:id/talks')
  @ApiOperation({
    summary:
      'Record a 约谈 held about this task (the 通报 step makes one due within 10 working days)',
  })
  @ApiBody({ type: TalkRequest })
  @ApiResponse({ status: 201, type: TalkResponse })
  @ApiResponse({ status: 400, description: 'heldOn, participantUserIds or notes invalid' })
  @ApiResponse({ status: 403, description: 'Only the supervising side records talks' })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  record(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: TalkRequest,
  ): Promise<TalkResponse> {
    return this.talks.record(actor, id, body);
  }

  @Get('tasks/:id/talks')
  @ApiOperation({ summary: 'The talks recorded about this task, oldest first' })
  @ApiResponse({ status: 200, type: [TalkResponse] })
  @ApiResponse({ status: 404, description: 'Not found within your scope' })
  list(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<TalkResponse[]> {
    return this.talks.list(actor, id);
  }

  @Get('tasks/:id/talk')
  @ApiOperation({ summary: 'Whether a 约谈 is owed on this task: none, due, overdue or held' })
  @ApiResponse({ status: 200, type: TalkStatusResponse })
  async status(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<TalkStatusResponse> {
    await this.talks.list(actor, id);
    return this.talks.status(id);
  }
}
