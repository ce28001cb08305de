import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#duban/domain';
import { ReviewsService } from '#duban/rectification';
import { CurrentActor } from '../auth/decorators';
import { uuidParam } from '../http/uuid.pipe';
import { LoopErrors } from './errors';
import {
  BallotRequest,
  BallotResponse,
  CreateReviewRequest,
  ReviewCloseResponse,
  ReviewQuery,
  ReviewReportRequest,
  ReviewResponse,
} from './five-in-one.dto';

@ApiTags('reviews (述职评议)')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('api/v1/reviews')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Post()
  @LoopErrors()
  @ApiOperation({ summary: 'The host committee opens a review of the secretaries below it' })
  @ApiResponse({ status: 201, type: ReviewResponse })
  create(@CurrentActor() actor: Actor, @Body() body: CreateReviewRequest): Promise<ReviewResponse> {
    return this.reviews.create(actor, body);
  }

  @Get()
  @ApiOperation({
    summary: 'Reviews you host (in scope), vote in, or are a subject of; tallies only after close',
  })
  @ApiResponse({ status: 200, type: [ReviewResponse] })
  list(@CurrentActor() actor: Actor, @Query() q: ReviewQuery): Promise<ReviewResponse[]> {
    return this.reviews.list(actor, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One review; counts, scores and comments appear only after close' })
  @ApiResponse({ status: 200, type: ReviewResponse })
  @ApiResponse({ status: 404, description: 'Not found, or not yours to see' })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<ReviewResponse> {
    return this.reviews.get(actor, id);
  }

  @Post(':id/reports')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({ summary: '述职: a subject files their report (text and attachments)' })
  @ApiResponse({ status: 200, type: ReviewResponse })
  report(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ReviewReportRequest,
  ): Promise<ReviewResponse> {
    return this.reviews.report(actor, id, body);
  }

  @Post(':id/ballots')
  @LoopErrors()
  @ApiOperation({
    summary: '评议: an anonymous ballot — one per voter and subject (409 already_voted)',
    description:
      'Who has voted is recorded apart from what was voted; the answer never repeats the grade. ' +
      'Off the voting list: 403 not_a_voter. After close: 409 review_closed.',
  })
  @ApiResponse({ status: 201, type: BallotResponse })
  vote(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: BallotRequest,
  ): Promise<BallotResponse> {
    return this.reviews.vote(actor, id, body);
  }

  @Post(':id/close')
  @HttpCode(200)
  @LoopErrors()
  @ApiOperation({
    summary:
      'Closes the review: freezes counts and scores (好100/较好80/一般60/差40, mean); 差 opens a case',
  })
  @ApiResponse({ status: 200, type: ReviewCloseResponse })
  close(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<ReviewCloseResponse> {
    return this.reviews.close(actor, id);
  }
}
