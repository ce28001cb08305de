import { Module } from '@nestjs/common';
import { AuditAnchorService } from './anchor.service';
import { AuditLog } from './audit-log';

@Module({ providers: [AuditLog, AuditAnchorService], exports: [AuditLog, AuditAnchorService] })
export class AuditModule {}
