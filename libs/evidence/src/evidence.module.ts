import { Module } from '@nestjs/common';
import { AttachmentStore } from './attachment-store';
import { EvidenceService } from './evidence.service';

/** Evidence files and their links to tasks; needs the PlatformModule (config, clock, database). */
@Module({
  providers: [AttachmentStore, EvidenceService],
  exports: [AttachmentStore, EvidenceService],
})
export class EvidenceModule {}
