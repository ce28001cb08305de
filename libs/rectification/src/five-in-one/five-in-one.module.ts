import { Module } from '@nestjs/common';
import { AuditModule } from '#duban/audit';
import { RectificationModule } from '../rectification.module';
import { AssessmentsRepository } from './assessments.repository';
import { AssessmentsService } from './assessments.service';
import { CommitmentsRepository } from './commitments.repository';
import { CommitmentsService } from './commitments.service';
import { QuarterlyFeedbackService } from './quarterly-feedback.service';
import { ReviewsRepository } from './reviews.repository';
import { ReviewsService } from './reviews.service';

const PROVIDERS = [
  CommitmentsRepository,
  CommitmentsService,
  ReviewsRepository,
  ReviewsService,
  AssessmentsRepository,
  AssessmentsService,
  QuarterlyFeedbackService,
];

/** The five-in-one loop (五位一体): 承诺, 述职, 评议, 考核, and the 问责 they open. */
@Module({
  // RectificationModule: the quarterly feedback records measures' progress through TasksService.
  imports: [AuditModule, RectificationModule],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class FiveInOneModule {}
