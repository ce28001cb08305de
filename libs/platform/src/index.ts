export * from './platform.module';
export * from './logger';
export * from './unavailable';
