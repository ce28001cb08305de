export * from './sniff';
export * from './file-name';
export * from './attachment-store';
export * from './evidence.service';
export * from './evidence.module';
