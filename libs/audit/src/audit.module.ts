import { Module } from '@nestjs/common';
import { AnchorJobs } from './anchor.jobs';
import { AuditAnchorService } from './anchor.service';
import { AuditLog } from './audit-log';
import { AuditRepository } from './audit.repository';

@Module({
  providers: [AuditRepository, AuditLog, AuditAnchorService, AnchorJobs],
  exports: [AuditRepository, AuditLog, AuditAnchorService],
})
export class AuditModule {}
