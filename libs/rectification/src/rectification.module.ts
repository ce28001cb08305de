import { Module } from '@nestjs/common';
import { AuditModule } from '#duban/audit';
import { EvidenceModule } from '#duban/evidence';
import { CategoryCatalog, loadCategories } from './catalog/catalog';
import { CATEGORY_CATALOG, ProblemsService } from './problems/problems.service';
import { calendarProvider } from './tasks/calendar';
import { TasksService } from './tasks/tasks.service';

@Module({
  imports: [AuditModule, EvidenceModule],
  providers: [
    { provide: CATEGORY_CATALOG, useFactory: () => new CategoryCatalog(loadCategories()) },
    calendarProvider,
    TasksService,
    ProblemsService,
  ],
  exports: [TasksService, ProblemsService, CATEGORY_CATALOG, calendarProvider.provide, AuditModule],
})
export class RectificationModule {}
