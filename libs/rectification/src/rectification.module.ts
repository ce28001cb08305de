import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig, configDirectory } from '#duban/config';
import { AuditModule } from '#duban/audit';
import { EvidenceModule } from '#duban/evidence';
import { IdentityModule } from '#duban/identity';
import { NotificationsModule } from '#duban/notifications';
import { AccountabilityService } from './accountability/accountability.service';
import { CasesRepository } from './accountability/cases.repository';
import { AdministrationService } from './administration/administration.service';
import { OrgImportService } from './administration/org-import.service';
import { CampaignsRepository } from './campaigns/campaigns.repository';
import { ProblemImportsRepository } from './import/problem-imports.repository';
import { CalendarFeedRepository } from './calendar-feed/calendar-feed.repository';
import { CalendarFeedService } from './calendar-feed/calendar-feed.service';
import { CampaignsService } from './campaigns/campaigns.service';
import { CalendarRepository } from './calendar/calendar.repository';
import { CalendarService } from './calendar/calendar.service';
import { CircularsRepository } from './circulars/circulars.repository';
import { CircularsService } from './circulars/circulars.service';
import { CategoryCatalog, loadCategories } from './catalog/catalog';
import { AudiencesRepository } from './escalation/audiences.repository';
import { EffectsRepository } from './escalation/effects.repository';
import { EscalationJobs } from './escalation/escalation.jobs';
import { CommitmentsRepository } from './five-in-one/commitments.repository';
import { EscalationsService } from './escalation/escalations.service';
import { LadderService } from './escalation/ladder.service';
import {
  DEFAULT_POLICY,
  EscalationPolicyService,
  loadDefaultPolicy,
} from './escalation/policy.service';
import { PoliciesRepository } from './escalation/policies.repository';
import { TaskTimerSource } from './escalation/task-timer.source';
import { ProblemImportService } from './import/problem-import.service';
import { ProblemsRepository } from './problems/problems.repository';
import { CATEGORY_CATALOG, ProblemsService } from './problems/problems.service';
import { QuarterlyJobs } from './quarterly/quarterly.jobs';
import { QuarterlyRepository } from './quarterly/quarterly.repository';
import { QuarterlyService } from './quarterly/quarterly.service';
import { LedgerRepository } from './reports/ledger.repository';
import { LedgerService } from './reports/ledger.service';
import { ReportsRepository } from './reports/reports.repository';
import { ReportsService } from './reports/reports.service';
import { calendarProvider } from './tasks/calendar';
import { TasksService } from './tasks/tasks.service';
import { TasksRepository } from './tasks/tasks.repository';
import { TalksRepository } from './talks/talks.repository';
import { TalksService } from './talks/talks.service';
import { ReinspectionDueSource } from './reinspection/reinspection-due.source';
import { ReinspectionJobs } from './reinspection/reinspection.jobs';
import { NegativeListRepository } from './negative-list/negative-list.repository';
import { NegativeListService } from './negative-list/negative-list.service';
import { ReinspectionRepository } from './reinspection/reinspection.repository';
import { ReinspectionService } from './reinspection/reinspection.service';
import { WorkflowNoticesRepository } from './notices/workflow-notices.repository';
import { WorkflowNoticesService } from './notices/workflow-notices.service';

const SERVICES = [
  TasksRepository,
  CasesRepository,
  ProblemsRepository,
  TasksService,
  ProblemsService,
  EscalationPolicyService,
  PoliciesRepository,
  EffectsRepository,
  AudiencesRepository,
  EscalationsService,
  LadderService,
  TaskTimerSource,
  QuarterlyRepository,
  QuarterlyService,
  // The quarterly notice lists the commitment items due (践诺) beside the measures.
  CommitmentsRepository,
  AccountabilityService,
  CalendarRepository,
  CalendarService,
  LedgerRepository,
  LedgerService,
  ReportsRepository,
  ReportsService,
  ProblemImportService,
  ProblemImportsRepository,
  CalendarFeedRepository,
  CalendarFeedService,
  CampaignsRepository,
  CampaignsService,
  CircularsRepository,
  CircularsService,
  TalksRepository,
  TalksService,
  ReinspectionRepository,
  ReinspectionService,
  ReinspectionDueSource,
  NegativeListRepository,
  NegativeListService,
  WorkflowNoticesRepository,
  WorkflowNoticesService,
  AdministrationService,
  OrgImportService,
  // Job handlers (@OnJob), collected by the worker's registry.
  EscalationJobs,
  QuarterlyJobs,
  ReinspectionJobs,
];

/** The use cases of rectification supervision, shared by the api and the worker. */
@Module({
  imports: [AuditModule, EvidenceModule, NotificationsModule, IdentityModule],
  providers: [
    {
      provide: CATEGORY_CATALOG,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new CategoryCatalog(loadCategories(join(configDirectory(config), 'categories.json'))),
    },
    {
      provide: DEFAULT_POLICY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        loadDefaultPolicy(join(configDirectory(config), 'escalation-policy.json')),
    },
    calendarProvider,
    ...SERVICES,
  ],
  exports: [
    ...SERVICES,
    CATEGORY_CATALOG,
    calendarProvider.provide,
    AuditModule,
    NotificationsModule,
  ],
})
export class RectificationModule {}
