import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '#duban/config';
import type { Clock } from '#duban/domain';
import { EvidenceModule } from '#duban/evidence';
import { IdentityModule } from '#duban/identity';
import { NotificationsModule } from '#duban/notifications';
import { ObservabilityModule } from '#duban/observability';
import { PlatformModule } from '#duban/platform';
import { FiveInOneModule, RectificationModule } from '#duban/rectification';
import { AttachmentsController } from './attachments/attachments.controller';
import { CalendarFeedController } from './calendar-feed/calendar-feed.controller';
import { AuditAnchorsController } from './audit/audit-anchors.controller';
import { AuthController } from './auth/auth.controller';
import { CampaignsController } from './campaigns/campaigns.controller';
import { CircularsController } from './circulars/circulars.controller';
import { AuthGuard } from './auth/auth.guard';
import { LoginRateLimiter } from './auth/login-rate-limiter';
import { TokenService } from './auth/token.service';
import { HealthController } from './health/health.controller';
import { DeliveriesController } from './notifications/deliveries.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { OrgWebhooksController } from './notifications/org-webhooks.controller';
import { ErrorFilter } from './http/error.filter';
import { OutageMonitor } from './http/outage';
import { JobMetrics } from './health/failed-jobs';
import { OrgsController } from './orgs/orgs.controller';
import { QueuesModule } from './queues.module';
import { UsersController } from './users/users.controller';
import { ProblemsController } from './problems/problems.controller';
import { ProblemImportController } from './reports/problem-import.controller';
import { ReportsController } from './reports/reports.controller';
import { TasksController } from './tasks/tasks.controller';
import { EngineController } from './engine/engine.controller';
import { TalksController } from './talks/talks.controller';
import { ReinspectionController } from './reinspection/reinspection.controller';
import { NegativeListController } from './negative-list/negative-list.controller';
import { OPS_CONTROLLERS, OPS_PROVIDERS } from './ops/ops';
import { AssessmentsController } from './five-in-one/assessments.controller';
import { CommitmentsController } from './five-in-one/commitments.controller';
import { QuarterlyFeedbackController } from './five-in-one/quarterly-feedback.controller';
import { ReviewsController } from './five-in-one/reviews.controller';

export interface AppModuleOptions {
  /** Tests inject a controllable clock; production uses the system clock. */
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config, { clock: options.clock }),
        QueuesModule,
        IdentityModule,
        EvidenceModule,
        RectificationModule,
        FiveInOneModule,
        NotificationsModule,
        ObservabilityModule,
      ],
      controllers: [
        AuthController,
        UsersController,
        OrgsController,
        ProblemsController,
        ProblemImportController,
        ReportsController,
        TasksController,
        CampaignsController,
        CircularsController,
        EngineController,
        TalksController,
        ReinspectionController,
        NegativeListController,
        HealthController,
        AttachmentsController,
        NotificationsController,
        DeliveriesController,
        OrgWebhooksController,
        AuditAnchorsController,
        CalendarFeedController,
        ...OPS_CONTROLLERS,
        CommitmentsController,
        ReviewsController,
        AssessmentsController,
        QuarterlyFeedbackController,
      ],
      providers: [
        TokenService,
        LoginRateLimiter,
        ...OPS_PROVIDERS,
        { provide: APP_GUARD, useClass: AuthGuard },
        OutageMonitor,
        JobMetrics,
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
