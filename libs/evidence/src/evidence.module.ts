import { Inject, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '#duban/config';
import { AttachmentStore, BLOB_STORE } from './attachment-store';
import { AttachmentsRepository } from './attachments.repository';
import type { BlobStore } from './blob-store';
import { createBlobStore } from './create-blob-store';
import { EvidenceService } from './evidence.service';

/** Evidence files and their links to tasks; needs the PlatformModule (config, clock, database). */
@Module({
  providers: [
    {
      provide: BLOB_STORE,
      inject: [APP_CONFIG, DataSource],
      useFactory: (config: AppConfig, db: DataSource): BlobStore => {
        const store = createBlobStore(config, db);
        if (!config.DUBAN_ATTACHMENTS_URL && config.DUBAN_ATTACHMENTS_DIR) {
          new Logger('Evidence').warn(
            `DUBAN_ATTACHMENTS_DIR is deprecated: evidence is kept in ${store.description}, on this ` +
              'machine only; use the default (postgres:) or s3://, and move the files with ' +
              '`npm run evidence:migrate -- --from <dir>`',
          );
        }
        return store;
      },
    },
    AttachmentsRepository,
    AttachmentStore,
    EvidenceService,
  ],
  exports: [BLOB_STORE, AttachmentsRepository, AttachmentStore, EvidenceService],
})
export class EvidenceModule implements OnModuleDestroy {
  constructor(@Inject(BLOB_STORE) private readonly blobs: BlobStore) {}

  async onModuleDestroy(): Promise<void> {
    await this.blobs.close();
  }
}
