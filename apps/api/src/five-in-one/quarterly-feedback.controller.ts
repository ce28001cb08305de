import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor, DomainError } from '#duban/domain';
import { QuarterlyFeedbackService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { QuarterlyFeedbackRequest, QuarterlyFeedbackResponse } from './five-in-one.dto';

const STATUS: Record<DomainError['kind'], number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

@ApiTags('quarterly feedback (季度进展反馈: measures and commitments together)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/quarterly-feedback')
export class QuarterlyFeedbackController {
  constructor(private readonly feedback: QuarterlyFeedbackService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      '季度进展反馈: one submission for the quarter with the progress of measures and of commitment items (践诺); each entry is checked and recorded on its own',
  })
  @ApiResponse({ status: 200, type: QuarterlyFeedbackResponse })
  @ApiResponse({
    status: 400,
    description: 'Nothing to report, or a measure or item named twice; the message names it',
  })
  async submit(
    @CurrentActor() actor: Actor,
    @Body() body: QuarterlyFeedbackRequest,
  ): Promise<QuarterlyFeedbackResponse> {
    const results = (await this.feedback.submit(actor, body)).map((r) =>
      r.ok
        ? { kind: r.kind, id: r.id, ok: true, status: 200 }
        : {
            kind: r.kind,
            id: r.id,
            ok: false,
            status: STATUS[r.error.kind],
            code: r.error.code,
            message: r.error.message,
          },
    );
    return { recorded: results.filter((r) => r.ok).length, results };
  }
}
